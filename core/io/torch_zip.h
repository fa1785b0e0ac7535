// Read access to a torch.save archive (torch >= 1.6 "zip" serialization).
//
// Layout: <name>/data.pkl (the pickled object), <name>/data/<key> (raw little-endian bytes
// of each storage), <name>/version, and from torch 2.x also <name>/byteorder and
// <name>/.data/... . <name> is whatever folder holds data.pkl (torch uses the file's
// base name). The file is memory-mapped and its zip directory read by a small reader of
// our own (torch_zip.cpp says why not libzip), so the hundreds of thousands of tiny storage
// records in an RW file are read without syscalls or per-entry allocations.
#pragma once

#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace ca::torchzip {

class TorchZipArchive {
public:
    // Opens `path`; throws InputError if it is not a torch zip archive (including the
    // pre-1.6 legacy format and big-endian archives).
    explicit TorchZipArchive(const std::string& path);
    ~TorchZipArchive();
    TorchZipArchive(const TorchZipArchive&) = delete;
    TorchZipArchive& operator=(const TorchZipArchive&) = delete;

    const std::string& path() const;
    // The folder inside the archive that holds data.pkl.
    const std::string& archiveName() const;

    // The bytes of data.pkl.
    std::vector<uint8_t> readPickle() const;

    // Checks every uncompressed storage record (local header, CRC-32) in archive order, so
    // that later readStorage calls are plain copies from the map. Optional and best-effort:
    // records it could not check are checked on demand (and fail there). It may run on
    // another thread while the caller parses data.pkl, as long as no other method of this
    // archive is called meanwhile; `stop` ends it early.
    void prefetchStorages(std::stop_token stop = {});

    // Copies `nbytes` bytes starting `byte_offset` bytes into storage record data/<key>.
    // `declared_bytes` is what the pickle says the storage holds (numel * element size): the
    // record must be at least that long, and the requested range must lie inside it.
    void readStorage(std::string_view key, uint64_t declared_bytes, uint64_t byte_offset,
                     uint64_t nbytes, void* out) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ca::torchzip
