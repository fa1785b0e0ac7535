// torch.save archives through libzip, from a read-only memory map of the file.
#include "core/io/torch_zip.h"

#include "core/util/input_error.h"

#include <zip.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstring>

namespace ca::torchzip {

namespace {

// A pickle this large only fits about a quarter of a million RW records; beyond it the
// string pool's 32-bit offsets would not suffice either.
constexpr uint64_t kMaxPickleBytes = uint64_t{4} << 30;
// Deflated records may expand a thousandfold; a compressed data.pkl (torch never writes one)
// is only accepted up to this size so that a small hostile file cannot claim gigabytes.
constexpr uint64_t kMaxCompressedPickleBytes = uint64_t{256} << 20;

struct ZipFile {
    zip_file_t* f = nullptr;
    ~ZipFile() {
        if (f) zip_fclose(f);
    }
};

}  // namespace

struct TorchZipArchive::Impl {
    std::string path;
    std::string archive_name;
    int fd = -1;
    void* map = nullptr;
    size_t map_size = 0;
    zip_t* zip = nullptr;
    mutable std::string name_buffer;   // reused for "<archive>/data/<key>"

    // Filled by prefetchStorages().
    struct Cached {
        uint64_t offset = 0;
        uint64_t size = 0;
        bool valid = false;
    };
    std::vector<uint8_t> blob;                  // the records' bytes, back to back
    std::vector<Cached> cached;                 // by zip index
    std::vector<zip_int64_t> index_by_number;   // zip index of "<archive>/data/<n>", or -1

    // The zip index of storage record `key`, or -1.
    zip_int64_t storageIndex(std::string_view key) const {
        // torch names storages 0, 1, 2, ...: look those up by number.
        uint64_t n = 0;
        const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), n);
        if (ec == std::errc() && end == key.data() + key.size() && (key.size() == 1 || key[0] != '0') &&
            n < index_by_number.size() && index_by_number[n] >= 0)
            return index_by_number[n];
        name_buffer.assign(archive_name).append("/data/").append(key);
        return locate(name_buffer);
    }

    ~Impl() {
        if (zip) zip_discard(zip);
        if (map) munmap(map, map_size);
        if (fd >= 0) close(fd);
    }

    [[noreturn]] void fail(const std::string& problem) const { throw InputError(path, problem); }

    zip_int64_t locate(const std::string& name) const {
        return zip_name_locate(zip, name.c_str(), 0);
    }

    zip_stat_t stat(zip_int64_t index, const std::string& name) const {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(zip, static_cast<zip_uint64_t>(index), 0, &st) != 0 ||
            !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_METHOD))
            fail("cannot read the zip entry " + name);
        if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
            fail("zip entry " + name + " is encrypted");
        return st;
    }

    void open(zip_int64_t index, const std::string& name, ZipFile& file) const {
        file.f = zip_fopen_index(zip, static_cast<zip_uint64_t>(index), 0);
        if (!file.f) fail("cannot open zip entry " + name + ": " + zip_strerror(zip));
    }

    // Reads exactly n bytes (or fails, naming the entry).
    void readExactly(ZipFile& file, const std::string& name, void* out, uint64_t n) const {
        auto* dst = static_cast<uint8_t*>(out);
        while (n > 0) {
            const zip_int64_t got = zip_fread(file.f, dst, n);
            if (got < 0) fail("cannot read zip entry " + name + ": " + zip_file_strerror(file.f));
            if (got == 0) fail("zip entry " + name + " is truncated");
            dst += got;
            n -= static_cast<uint64_t>(got);
        }
    }
};

TorchZipArchive::TorchZipArchive(const std::string& path) : impl_(std::make_unique<Impl>()) {
    Impl& d = *impl_;
    d.path = path;
    d.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (d.fd < 0) d.fail(std::string("cannot open: ") + std::strerror(errno));
    struct stat st;
    if (fstat(d.fd, &st) != 0) d.fail(std::string("cannot stat: ") + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) d.fail("not a regular file");
    d.map_size = static_cast<size_t>(st.st_size);
    if (d.map_size > 0) {
        d.map = mmap(nullptr, d.map_size, PROT_READ, MAP_PRIVATE, d.fd, 0);
        if (d.map == MAP_FAILED) {
            d.map = nullptr;
            d.fail(std::string("cannot map: ") + std::strerror(errno));
        }
    }

    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(d.map, d.map_size, 0, &error);
    if (!source) {
        std::string msg = zip_error_strerror(&error);
        zip_error_fini(&error);
        d.fail("cannot read: " + msg);
    }
    d.zip = zip_open_from_source(source, ZIP_RDONLY, &error);
    if (!d.zip) {
        zip_source_free(source);
        const bool not_zip = zip_error_code_zip(&error) == ZIP_ER_NOZIP;
        std::string msg = zip_error_strerror(&error);
        zip_error_fini(&error);
        if (not_zip) {
            const auto* head = static_cast<const unsigned char*>(d.map);
            if (d.map_size >= 4 && std::memcmp(head, "PK\x03\x04", 4) == 0)
                d.fail("truncated or damaged zip archive: its central directory is missing");
            if (d.map_size >= 2 && head[0] == 0x80 && head[1] == 0x02)
                d.fail("a legacy torch.save file (torch < 1.6), which is not supported; re-save it "
                       "with a newer torch");
            d.fail("not a zip archive (torch.save files from torch >= 1.6 are zip archives)");
        }
        d.fail("damaged zip archive: " + msg);
    }
    zip_error_fini(&error);

    // torch writes data.pkl first; look there before scanning every entry.
    const zip_int64_t entries = zip_get_num_entries(d.zip, 0);
    for (zip_int64_t i = 0; i < entries && d.archive_name.empty(); ++i) {
        const char* name = zip_get_name(d.zip, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
        if (!name) continue;
        const std::string_view n(name);
        constexpr std::string_view kSuffix = "/data.pkl";
        if (n.size() > kSuffix.size() && n.ends_with(kSuffix) &&
            n.substr(0, n.size() - kSuffix.size()).find('/') == std::string_view::npos)
            d.archive_name = std::string(n.substr(0, n.size() - kSuffix.size()));
    }
    if (d.archive_name.empty()) d.fail("zip archive has no <name>/data.pkl: not a torch.save file");

    const std::string byteorder = d.archive_name + "/byteorder";
    const zip_int64_t bo = d.locate(byteorder);
    if (bo >= 0) {
        const zip_stat_t bst = d.stat(bo, byteorder);
        if (bst.size > 16) d.fail("malformed byteorder record");
        char text[16] = {};
        ZipFile f;
        d.open(bo, byteorder, f);
        d.readExactly(f, byteorder, text, bst.size);
        if (std::string_view(text, bst.size) != "little")
            d.fail("big-endian torch archives are not supported");
    }
}

TorchZipArchive::~TorchZipArchive() = default;

const std::string& TorchZipArchive::path() const { return impl_->path; }

const std::string& TorchZipArchive::archiveName() const { return impl_->archive_name; }

std::vector<uint8_t> TorchZipArchive::readPickle() const {
    const Impl& d = *impl_;
    const std::string name = d.archive_name + "/data.pkl";
    const zip_int64_t index = d.locate(name);
    if (index < 0) d.fail("zip entry " + name + " is missing");
    const zip_stat_t st = d.stat(index, name);
    const bool stored = st.comp_method == ZIP_CM_STORE;
    if (st.size > (stored ? kMaxPickleBytes : kMaxCompressedPickleBytes))
        d.fail("data.pkl is too large (" + std::to_string(st.size) + " bytes)");
    if (stored && st.size > d.map_size) d.fail("data.pkl is larger than the file: truncated archive");
    ZipFile f;
    d.open(index, name, f);
    std::vector<uint8_t> bytes;
    if (stored) {
        bytes.resize(st.size);
        d.readExactly(f, name, bytes.data(), bytes.size());
    } else {
        // Grow with what actually decompresses rather than trusting the declared size.
        constexpr size_t kChunk = size_t{1} << 20;
        while (bytes.size() < st.size) {
            const size_t want = std::min<uint64_t>(kChunk, st.size - bytes.size());
            const size_t old = bytes.size();
            bytes.resize(old + want);
            d.readExactly(f, name, bytes.data() + old, want);
        }
    }
    return bytes;
}

void TorchZipArchive::prefetchStorages(std::stop_token stop) {
    Impl& d = *impl_;
    const std::string prefix = d.archive_name + "/data/";
    const zip_int64_t entries = zip_get_num_entries(d.zip, 0);
    if (entries <= 0) return;
    std::vector<Impl::Cached> cached(static_cast<size_t>(entries));
    std::vector<zip_int64_t> by_number;
    uint64_t total = 0;
    for (zip_int64_t i = 0; i < entries; ++i) {
        const char* name = zip_get_name(d.zip, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
        if (!name || std::strncmp(name, prefix.c_str(), prefix.size()) != 0) continue;
        const std::string_view key(name + prefix.size());
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(d.zip, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW, &st) != 0 ||
            !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_METHOD) ||
            st.comp_method != ZIP_CM_STORE ||
            ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE))
            continue;
        // Stored records lie inside the file, so together they cannot exceed it unless the
        // directory lists overlapping records; stop caching there rather than allocate more.
        if (st.size > d.map_size - std::min<uint64_t>(total, d.map_size)) break;
        cached[static_cast<size_t>(i)] = {total, st.size, true};
        total += st.size;
        uint64_t n = 0;
        const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), n);
        if (ec == std::errc() && end == key.data() + key.size() && !key.empty() &&
            (key.size() == 1 || key[0] != '0') && n < static_cast<uint64_t>(entries)) {
            if (by_number.size() <= n) by_number.resize(n + 1, -1);
            by_number[n] = i;
        }
    }
    std::vector<uint8_t> blob(total);
    for (zip_int64_t i = 0; i < entries; ++i) {
        if (stop.stop_requested()) return;
        Impl::Cached& c = cached[static_cast<size_t>(i)];
        if (!c.valid) continue;
        c.valid = false;
        zip_file_t* f = zip_fopen_index(d.zip, static_cast<zip_uint64_t>(i), 0);
        if (!f) continue;
        uint64_t got = 0;
        while (got < c.size) {
            const zip_int64_t n = zip_fread(f, blob.data() + c.offset + got, c.size - got);
            if (n <= 0) break;
            got += static_cast<uint64_t>(n);
        }
        // Reading to the end lets libzip check the record's CRC.
        uint8_t probe;
        c.valid = got == c.size && zip_fread(f, &probe, 1) == 0;
        zip_fclose(f);
    }
    d.blob = std::move(blob);
    d.cached = std::move(cached);
    d.index_by_number = std::move(by_number);
}

void TorchZipArchive::readStorage(std::string_view key, uint64_t declared_bytes, uint64_t byte_offset,
                                  uint64_t nbytes, void* out) const {
    const Impl& d = *impl_;
    const zip_int64_t index = d.storageIndex(key);
    auto name = [&] { return d.archive_name + "/data/" + std::string(key); };
    if (index < 0) d.fail("tensor data record " + name() + " is missing");
    if (byte_offset > declared_bytes || nbytes > declared_bytes - byte_offset)
        d.fail("tensor reads past its storage record " + name());
    if (static_cast<size_t>(index) < d.cached.size() && d.cached[static_cast<size_t>(index)].valid) {
        const Impl::Cached& c = d.cached[static_cast<size_t>(index)];
        if (c.size < declared_bytes)
            d.fail("tensor data record " + name() + " holds " + std::to_string(c.size) +
                   " bytes, the pickle declares " + std::to_string(declared_bytes));
        if (nbytes > 0) std::memcpy(out, d.blob.data() + c.offset + byte_offset, nbytes);
        return;
    }
    const std::string record = name();
    const zip_stat_t st = d.stat(index, record);
    if (st.size < declared_bytes)
        d.fail("tensor data record " + record + " holds " + std::to_string(st.size) +
               " bytes, the pickle declares " + std::to_string(declared_bytes));
    if (st.comp_method == ZIP_CM_STORE && st.size > d.map_size)
        d.fail("tensor data record " + record + " is larger than the file: truncated archive");
    if (nbytes == 0) return;
    ZipFile f;
    d.open(index, record, f);
    if (byte_offset > 0) {
        if (st.comp_method == ZIP_CM_STORE) {
            if (zip_fseek(f.f, static_cast<zip_int64_t>(byte_offset), SEEK_SET) != 0)
                d.fail("cannot seek in zip entry " + record);
        } else {
            // Deflated records cannot seek: decompress and drop what precedes the tensor.
            uint8_t sink[4096];
            for (uint64_t left = byte_offset; left > 0;) {
                const uint64_t n = std::min<uint64_t>(left, sizeof sink);
                d.readExactly(f, record, sink, n);
                left -= n;
            }
        }
    }
    d.readExactly(f, record, out, nbytes);
}

}  // namespace ca::torchzip
