// Small RAII helpers over the HDF5 C API, shared by the trace writer and reader.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ca::h5 {

// Owns one HDF5 identifier and closes it with the right H5*close.
class Handle {
public:
    Handle() = default;
    explicit Handle(hid_t id) : id_(id) {}
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)) {}
    Handle& operator=(Handle&& o) noexcept {
        if (this != &o) { reset(); id_ = std::exchange(o.id_, H5I_INVALID_HID); }
        return *this;
    }
    ~Handle() { reset(); }

    hid_t get() const { return id_; }
    operator hid_t() const { return id_; }
    bool valid() const { return id_ >= 0; }
    void reset();

private:
    hid_t id_ = H5I_INVALID_HID;
};

// Silences HDF5's own error printing for the lifetime of the process: every
// failure is reported by us as one line naming the file.
void silenceErrorStack();

// Variable-length UTF-8 string type.
Handle utf8StringType();

bool exists(hid_t loc, const std::string& path);

// Attributes.
void writeStringAttr(hid_t obj, const std::string& name, const std::string& value);
void writeIntAttr(hid_t obj, const std::string& name, int64_t value);
void writeIntArrayAttr(hid_t obj, const std::string& name, const std::vector<int64_t>& values);
bool readStringAttr(hid_t obj, const std::string& name, std::string& out);
bool readIntAttr(hid_t obj, const std::string& name, int64_t& out);
bool readIntArrayAttr(hid_t obj, const std::string& name, std::vector<int64_t>& out);

// Dataset shape (empty on failure).
std::vector<hsize_t> shapeOf(hid_t dataset);

}  // namespace ca::h5
