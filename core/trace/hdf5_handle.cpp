#include "core/trace/hdf5_handle.h"

namespace ca::h5 {

void Handle::reset() {
    if (id_ < 0) return;
    switch (H5Iget_type(id_)) {
        case H5I_FILE: H5Fclose(id_); break;
        case H5I_GROUP: H5Gclose(id_); break;
        case H5I_DATASET: H5Dclose(id_); break;
        case H5I_DATASPACE: H5Sclose(id_); break;
        case H5I_DATATYPE: H5Tclose(id_); break;
        case H5I_ATTR: H5Aclose(id_); break;
        case H5I_GENPROP_LST: H5Pclose(id_); break;
        default: break;
    }
    id_ = H5I_INVALID_HID;
}

void silenceErrorStack() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

Handle utf8StringType() {
    Handle t(H5Tcopy(H5T_C_S1));
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

bool exists(hid_t loc, const std::string& path) {
    // Check each component so that a missing intermediate group is not an error.
    size_t pos = 0;
    while (true) {
        pos = path.find('/', pos + 1);
        const std::string prefix = path.substr(0, pos);
        if (!prefix.empty() && prefix != "/" && H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0)
            return false;
        if (pos == std::string::npos) return true;
    }
}

void writeStringAttr(hid_t obj, const std::string& name, const std::string& value) {
    Handle type = utf8StringType();
    Handle space(H5Screate(H5S_SCALAR));
    if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
    Handle attr(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT));
    const char* p = value.c_str();
    H5Awrite(attr, type, &p);
}

void writeIntAttr(hid_t obj, const std::string& name, int64_t value) {
    Handle space(H5Screate(H5S_SCALAR));
    if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
    Handle attr(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT));
    H5Awrite(attr, H5T_NATIVE_INT64, &value);
}

void writeIntArrayAttr(hid_t obj, const std::string& name, const std::vector<int64_t>& values) {
    const hsize_t n = values.size();
    Handle space(n == 0 ? H5Screate(H5S_NULL) : H5Screate_simple(1, &n, nullptr));
    if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
    Handle attr(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT));
    if (n) H5Awrite(attr, H5T_NATIVE_INT64, values.data());
}

bool readStringAttr(hid_t obj, const std::string& name, std::string& out) {
    if (H5Aexists(obj, name.c_str()) <= 0) return false;
    Handle attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT));
    if (!attr.valid()) return false;
    Handle ftype(H5Aget_type(attr));
    if (H5Tget_class(ftype) != H5T_STRING) return false;
    Handle space(H5Aget_space(attr));
    if (H5Sget_simple_extent_npoints(space) != 1) return false;
    if (H5Tis_variable_str(ftype) > 0) {
        Handle mtype = utf8StringType();
        char* p = nullptr;
        if (H5Aread(attr, mtype, &p) < 0) return false;
        out = p ? p : "";
        H5free_memory(p);
        return true;
    }
    const size_t size = H5Tget_size(ftype);
    if (size == 0 || size > (1u << 20)) return false;
    std::string buf(size, '\0');
    Handle mtype(H5Tcopy(H5T_C_S1));
    H5Tset_size(mtype, size);
    if (H5Aread(attr, mtype, buf.data()) < 0) return false;
    out = buf.substr(0, buf.find('\0'));
    return true;
}

bool readIntAttr(hid_t obj, const std::string& name, int64_t& out) {
    std::vector<int64_t> v;
    if (!readIntArrayAttr(obj, name, v) || v.size() != 1) return false;
    out = v[0];
    return true;
}

bool readIntArrayAttr(hid_t obj, const std::string& name, std::vector<int64_t>& out) {
    if (H5Aexists(obj, name.c_str()) <= 0) return false;
    Handle attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT));
    if (!attr.valid()) return false;
    Handle ftype(H5Aget_type(attr));
    if (H5Tget_class(ftype) != H5T_INTEGER) return false;
    Handle space(H5Aget_space(attr));
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    if (n < 0 || n > (1 << 24)) return false;
    out.assign(static_cast<size_t>(n), 0);
    if (n == 0) return true;
    return H5Aread(attr, H5T_NATIVE_INT64, out.data()) >= 0;
}

std::vector<hsize_t> shapeOf(hid_t dataset) {
    Handle space(H5Dget_space(dataset));
    if (!space.valid()) return {};
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0 || rank > 8) return {};
    std::vector<hsize_t> dims(static_cast<size_t>(rank));
    if (rank) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    return dims;
}

}  // namespace ca::h5
