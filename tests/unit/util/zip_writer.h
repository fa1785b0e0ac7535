// Writes small zip archives for tests (torch.save archives, .xlsx workbooks) with libzip.
#pragma once

#include <zip.h>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ca::test {

// Writes a zip archive holding `entries` (name -> bytes), every entry stored uncompressed
// unless its name is in `deflate`.
inline void writeZip(const std::filesystem::path& path, const std::map<std::string, std::string>& entries,
                     const std::vector<std::string>& deflate = {}) {
    int err = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!z) throw std::runtime_error("zip_open failed");
    for (const auto& [name, data] : entries) {
        zip_source_t* src = zip_source_buffer(z, data.data(), data.size(), 0);
        const zip_int64_t idx = zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE);
        if (idx < 0) throw std::runtime_error("zip_file_add failed");
        bool compress = false;
        for (const auto& d : deflate) compress |= d == name;
        zip_set_file_compression(z, static_cast<zip_uint64_t>(idx), compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
    }
    if (zip_close(z) != 0) throw std::runtime_error("zip_close failed");
}

}  // namespace ca::test
