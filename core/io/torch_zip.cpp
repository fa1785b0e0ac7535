// torch.save archives, read from a read-only memory map of the file by a small zip reader.
//
// Why not libzip: an RW router file holds ~730,000 tiny records, and libzip's per-entry work
// (building its directory, a DOS-time conversion per entry, one zip_fopen per record, tearing
// it all down) took about 1.3 s of a 1.9 s import. torch.save archives are plain zip files
// with stored (uncompressed) entries, so reading them needs little: find the end records,
// walk the central directory once, and check each record's local header and CRC-32 before
// handing out its bytes straight from the map. Deflated entries (never written by torch, but
// legal zip) are inflated with zlib.
//
// Everything read from the file is checked before use: every offset and size must lie inside
// the file (records before the central directory, the directory before the end records),
// local headers must match their directory entry, and stored data must match its CRC-32.
// Anything else is an InputError naming the file and the entry.
#include "core/io/torch_zip.h"

#include "core/util/input_error.h"

#include <zlib.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>
#include <unordered_map>

namespace ca::torchzip {

namespace {

// A pickle this large only fits about a quarter of a million RW records; beyond it the
// string pool's 32-bit offsets would not suffice either.
constexpr uint64_t kMaxPickleBytes = uint64_t{4} << 30;
// Deflated entries (torch never writes them) are inflated whole, up to this size, so that a
// small hostile file cannot make us allocate gigabytes.
constexpr uint64_t kMaxInflatedBytes = uint64_t{256} << 20;

constexpr uint32_t kLocalHeaderSig = 0x04034b50;     // "PK\3\4"
constexpr uint32_t kCentralHeaderSig = 0x02014b50;   // "PK\1\2"
constexpr uint32_t kEndSig = 0x06054b50;             // "PK\5\6"
constexpr uint32_t kZip64EndSig = 0x06064b50;        // "PK\6\6"
constexpr uint32_t kZip64LocatorSig = 0x07064b50;    // "PK\6\7"
constexpr uint64_t kLocalHeaderBytes = 30, kCentralHeaderBytes = 46, kEndBytes = 22;
constexpr uint64_t kZip64EndBytes = 56, kZip64LocatorBytes = 20;
constexpr uint16_t kStored = 0, kDeflated = 8;

uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t* p) { return uint32_t{le16(p)} | uint32_t{le16(p + 2)} << 16; }
uint64_t le64(const uint8_t* p) { return uint64_t{le32(p)} | uint64_t{le32(p + 4)} << 32; }

uint32_t crc32Of(const uint8_t* data, uint64_t n) {
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        const uInt step = static_cast<uInt>(std::min<uint64_t>(n, std::numeric_limits<uInt>::max()));
        crc = crc32(crc, data, step);
        data += step;
        n -= step;
    }
    return static_cast<uint32_t>(crc);
}

// One central directory entry.
struct Entry {
    uint64_t header_offset = 0;   // of the local header
    uint64_t comp_size = 0;
    uint64_t size = 0;
    uint64_t name_offset = 0;     // of the name, in the central directory
    uint32_t crc = 0;
    uint16_t name_len = 0;
    uint16_t method = 0;
    bool encrypted = false;
};

}  // namespace

struct TorchZipArchive::Impl {
    std::string path;
    std::string archive_name;
    int fd = -1;
    const uint8_t* map = nullptr;
    size_t map_size = 0;
    uint64_t cd_offset = 0;                 // records end where the central directory starts
    std::vector<Entry> entries;
    std::vector<uint32_t> index_by_number;  // entry of "<archive>/data/<n>", or kNone
    int64_t pickle_index = -1;
    static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

    // Per entry, once checked: where its data starts (0 = not yet) and whether its CRC held.
    mutable std::vector<uint64_t> data_offset;
    mutable std::vector<uint8_t> crc_ok;
    // Other names, built on first use (hand-made archives only).
    mutable std::unordered_map<std::string_view, uint32_t> by_name;
    // The last inflated entry, so that several reads of one deflated record inflate it once.
    mutable int64_t inflated_index = -1;
    mutable std::vector<uint8_t> inflated;

    ~Impl() {
        if (map) munmap(const_cast<uint8_t*>(map), map_size);
        if (fd >= 0) close(fd);
    }

    [[noreturn]] void fail(const std::string& problem) const { throw InputError(path, problem); }

    std::string_view nameOf(const Entry& e) const {
        return {reinterpret_cast<const char*>(map + e.name_offset), e.name_len};
    }

    // ---- the directory ------------------------------------------------------------------

    void readDirectory() {
        if (map_size < kEndBytes) notAZip();
        // The end record is the last 22 bytes, unless the archive has a comment (<= 64 KiB).
        uint64_t end = map_size - kEndBytes;
        const uint64_t lowest = map_size > kEndBytes + 0xffff ? map_size - kEndBytes - 0xffff : 0;
        while (le32(map + end) != kEndSig) {
            if (end == lowest) notAZip();
            --end;
        }
        const uint8_t* e = map + end;
        if (end + kEndBytes + le16(e + 20) > map_size) fail("damaged zip archive: bad end record");
        if (le16(e + 4) != 0 || le16(e + 6) != 0 || le16(e + 8) != le16(e + 10))
            fail("multi-part zip archives are not supported");
        uint64_t count = le16(e + 10), cd_size = le32(e + 12);
        cd_offset = le32(e + 16);
        uint64_t cd_limit = end;  // the directory ends before the end records
        if (end >= kZip64LocatorBytes && le32(map + end - kZip64LocatorBytes) == kZip64LocatorSig) {
            // zip64: the real counts and offsets are in the zip64 end record.
            const uint8_t* loc = map + end - kZip64LocatorBytes;
            const uint64_t z = le64(loc + 8);
            if (le32(loc + 4) != 0 || le32(loc + 16) > 1) fail("multi-part zip archives are not supported");
            if (z > end - kZip64LocatorBytes || end - kZip64LocatorBytes - z < kZip64EndBytes ||
                le32(map + z) != kZip64EndSig)
                fail("damaged zip archive: bad zip64 end record");
            const uint8_t* r = map + z;
            if (le32(r + 16) != 0 || le32(r + 20) != 0 || le64(r + 24) != le64(r + 32))
                fail("multi-part zip archives are not supported");
            count = le64(r + 32);
            cd_size = le64(r + 40);
            cd_offset = le64(r + 48);
            cd_limit = z;
        }
        if (cd_offset > cd_limit || cd_size > cd_limit - cd_offset)
            fail("truncated or damaged zip archive: its central directory lies outside the file");
        if (count > cd_size / kCentralHeaderBytes)
            fail("damaged zip archive: " + std::to_string(count) + " entries cannot fit its central directory");

        entries.resize(count);
        uint64_t p = cd_offset;
        const uint64_t cd_end = cd_offset + cd_size;
        for (uint64_t i = 0; i < count; ++i) {
            if (cd_end - p < kCentralHeaderBytes || le32(map + p) != kCentralHeaderSig)
                fail("damaged zip archive: central directory entry " + std::to_string(i) + " is malformed");
            const uint8_t* h = map + p;
            Entry& en = entries[i];
            const uint16_t flags = le16(h + 8);
            en.method = le16(h + 10);
            en.crc = le32(h + 16);
            en.comp_size = le32(h + 20);
            en.size = le32(h + 24);
            en.name_len = le16(h + 28);
            const uint16_t extra_len = le16(h + 30), comment_len = le16(h + 32);
            en.header_offset = le32(h + 42);
            en.encrypted = (flags & 1) != 0;
            en.name_offset = p + kCentralHeaderBytes;
            const uint64_t total = kCentralHeaderBytes + en.name_len + extra_len + comment_len;
            if (cd_end - p < total)
                fail("damaged zip archive: central directory entry " + std::to_string(i) + " is malformed");
            readZip64Extra(en, h + kCentralHeaderBytes + en.name_len, extra_len);
            // A record (its local header, name and data) lies before the central directory.
            if (en.header_offset > cd_offset || cd_offset - en.header_offset < kLocalHeaderBytes ||
                en.comp_size > cd_offset - en.header_offset - kLocalHeaderBytes)
                fail("damaged zip archive: entry " + std::string(nameOf(en)) + " lies outside the file");
            if (en.method == kStored && en.comp_size != en.size)
                fail("damaged zip archive: stored entry " + std::string(nameOf(en)) + " has two sizes");
            p += total;
        }
        data_offset.assign(count, 0);
        crc_ok.assign(count, 0);
    }

    // Sizes or offset of 0xffffffff are in the zip64 extra field (id 1), in this order.
    void readZip64Extra(Entry& en, const uint8_t* extra, uint16_t len) const {
        const bool need_size = en.size == 0xffffffffu, need_comp = en.comp_size == 0xffffffffu,
                   need_offset = en.header_offset == 0xffffffffu;
        if (!need_size && !need_comp && !need_offset) return;
        for (uint16_t q = 0; q + 4 <= len;) {
            const uint16_t id = le16(extra + q), size = le16(extra + q + 2);
            if (size > len - q - 4) break;
            if (id == 1) {
                const uint8_t* v = extra + q + 4;
                const uint8_t* v_end = v + size;
                auto next = [&](uint64_t& out) {
                    if (v_end - v < 8) fail("damaged zip archive: short zip64 field for " + std::string(nameOf(en)));
                    out = le64(v);
                    v += 8;
                };
                if (need_size) next(en.size);
                if (need_comp) next(en.comp_size);
                if (need_offset) next(en.header_offset);
                return;
            }
            q = static_cast<uint16_t>(q + 4 + size);
        }
        fail("damaged zip archive: entry " + std::string(nameOf(en)) + " lacks its zip64 sizes");
    }

    [[noreturn]] void notAZip() const {
        if (map_size >= 4 && std::memcmp(map, "PK\x03\x04", 4) == 0)
            fail("truncated or damaged zip archive: its central directory is missing");
        if (map_size >= 2 && map[0] == 0x80 && map[1] == 0x02)
            fail("a legacy torch.save file (torch < 1.6), which is not supported; re-save it "
                 "with a newer torch");
        fail("not a zip archive (torch.save files from torch >= 1.6 are zip archives)");
    }

    // Index of the numbered storage records, and where data.pkl is.
    void indexNames() {
        // torch writes <name>/data.pkl first; any top folder holding one names the archive.
        constexpr std::string_view kPickle = "/data.pkl";
        for (size_t i = 0; i < entries.size(); ++i) {
            const std::string_view n = nameOf(entries[i]);
            if (n.size() > kPickle.size() && n.ends_with(kPickle) &&
                n.substr(0, n.size() - kPickle.size()).find('/') == std::string_view::npos) {
                archive_name = std::string(n.substr(0, n.size() - kPickle.size()));
                pickle_index = static_cast<int64_t>(i);
                break;
            }
        }
        if (archive_name.empty()) fail("zip archive has no <name>/data.pkl: not a torch.save file");
        const std::string prefix = archive_name + "/data/";
        for (size_t i = 0; i < entries.size(); ++i) {
            const std::string_view n = nameOf(entries[i]);
            if (!n.starts_with(prefix)) continue;
            const std::string_view key = n.substr(prefix.size());
            uint64_t number = 0;
            if (!canonicalNumber(key, number) || number >= entries.size()) continue;
            if (index_by_number.size() <= number) index_by_number.resize(number + 1, kNone);
            if (index_by_number[number] == kNone) index_by_number[number] = static_cast<uint32_t>(i);
        }
    }

    // "0", "17": decimal without leading zeros (torch's storage keys).
    static bool canonicalNumber(std::string_view key, uint64_t& n) {
        const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), n);
        return ec == std::errc() && end == key.data() + key.size() && !key.empty() &&
               (key.size() == 1 || key[0] != '0');
    }

    // The entry named `name` (the first, if repeated), or -1: one pass over the names.
    int64_t locate(std::string_view name) const {
        for (size_t i = 0; i < entries.size(); ++i)
            if (nameOf(entries[i]) == name) return static_cast<int64_t>(i);
        return -1;
    }

    int64_t storageIndex(std::string_view key) const {
        uint64_t n = 0;  // torch's keys 0, 1, 2, ...
        if (canonicalNumber(key, n) && n < index_by_number.size() && index_by_number[n] != kNone)
            return static_cast<int64_t>(index_by_number[n]);
        // Other names, and numbers beyond the entry count: a map of every name, built once.
        if (by_name.empty())
            for (size_t i = entries.size(); i-- > 0;) by_name[nameOf(entries[i])] = static_cast<uint32_t>(i);
        const auto it = by_name.find(archive_name + "/data/" + std::string(key));
        return it == by_name.end() ? int64_t{-1} : static_cast<int64_t>(it->second);
    }

    // ---- records ------------------------------------------------------------------------

    // Checks entry i's local header against its directory entry; returns where its data
    // starts (inside the file: checked against the directory when it was read).
    uint64_t dataStart(size_t i) const {
        if (data_offset[i] != 0) return data_offset[i];
        const Entry& en = entries[i];
        const uint8_t* h = map + en.header_offset;
        if (le32(h) != kLocalHeaderSig) fail("damaged zip archive: no local header for " + std::string(nameOf(en)));
        const uint64_t name_len = le16(h + 26), extra_len = le16(h + 28);
        const uint64_t start = en.header_offset + kLocalHeaderBytes + name_len + extra_len;
        if (start > cd_offset || en.comp_size > cd_offset - start || name_len != en.name_len ||
            std::memcmp(h + kLocalHeaderBytes, map + en.name_offset, name_len) != 0)
            fail("damaged zip archive: the local header of " + std::string(nameOf(en)) +
                 " does not match the directory");
        data_offset[i] = start;
        return start;
    }

    void checkReadable(const Entry& en) const {
        if (en.encrypted) fail("zip entry " + std::string(nameOf(en)) + " is encrypted");
        if (en.method != kStored && en.method != kDeflated)
            fail("zip entry " + std::string(nameOf(en)) + " uses compression method " +
                 std::to_string(en.method) + " (only stored and deflated entries are supported)");
    }

    // The bytes of entry i: straight from the map when stored, else inflated (cached).
    const uint8_t* contents(size_t i) const {
        const Entry& en = entries[i];
        checkReadable(en);
        const uint8_t* data = map + dataStart(i);
        if (en.method == kStored) {
            if (!crc_ok[i]) {
                if (crc32Of(data, en.size) != en.crc)
                    fail("zip entry " + std::string(nameOf(en)) + " is damaged (CRC-32 mismatch)");
                crc_ok[i] = 1;
            }
            return data;
        }
        if (inflated_index == static_cast<int64_t>(i)) return inflated.data();
        // Deflate cannot expand data more than ~1032-fold.
        if (en.size > kMaxInflatedBytes || en.size / 1032 > en.comp_size + 1)
            fail("zip entry " + std::string(nameOf(en)) + " claims " + std::to_string(en.size) +
                 " bytes, more than this reader inflates");
        inflated_index = -1;
        inflated.assign(static_cast<size_t>(en.size), 0);
        z_stream z{};
        if (inflateInit2(&z, -MAX_WBITS) != Z_OK) fail("cannot start zlib");
        z.next_in = const_cast<Bytef*>(data);
        z.next_out = inflated.data();
        int rc = Z_OK;
        uint64_t in_left = en.comp_size, out_left = en.size;
        while (rc == Z_OK) {
            const uInt in_step = static_cast<uInt>(std::min<uint64_t>(in_left, 1u << 30));
            const uInt out_step = static_cast<uInt>(std::min<uint64_t>(out_left, 1u << 30));
            z.avail_in = in_step;
            z.avail_out = out_step;
            rc = inflate(&z, Z_NO_FLUSH);
            in_left -= in_step - z.avail_in;
            out_left -= out_step - z.avail_out;
            if (rc == Z_OK && z.avail_out == out_step && z.avail_in == in_step) rc = Z_BUF_ERROR;
        }
        inflateEnd(&z);
        if (rc != Z_STREAM_END || out_left != 0 || crc32Of(inflated.data(), en.size) != en.crc)
            fail("zip entry " + std::string(nameOf(en)) + " is damaged (bad deflate data or CRC-32)");
        inflated_index = static_cast<int64_t>(i);
        return inflated.data();
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
        void* m = mmap(nullptr, d.map_size, PROT_READ, MAP_PRIVATE, d.fd, 0);
        if (m == MAP_FAILED) d.fail(std::string("cannot map: ") + std::strerror(errno));
        d.map = static_cast<const uint8_t*>(m);
    }
    d.readDirectory();
    d.indexNames();

    const int64_t bo = d.locate(d.archive_name + "/byteorder");
    if (bo >= 0) {
        const Entry& en = d.entries[static_cast<size_t>(bo)];
        if (en.size > 16) d.fail("malformed byteorder record");
        const uint8_t* text = d.contents(static_cast<size_t>(bo));
        if (std::string_view(reinterpret_cast<const char*>(text), en.size) != "little")
            d.fail("big-endian torch archives are not supported");
    }
}

TorchZipArchive::~TorchZipArchive() = default;

const std::string& TorchZipArchive::path() const { return impl_->path; }

const std::string& TorchZipArchive::archiveName() const { return impl_->archive_name; }

std::vector<uint8_t> TorchZipArchive::readPickle() const {
    const Impl& d = *impl_;
    const size_t i = static_cast<size_t>(d.pickle_index);
    const Entry& en = d.entries[i];
    if (en.size > kMaxPickleBytes) d.fail("data.pkl is too large (" + std::to_string(en.size) + " bytes)");
    const uint8_t* bytes = d.contents(i);
    return std::vector<uint8_t>(bytes, bytes + en.size);
}

void TorchZipArchive::prefetchStorages(std::stop_token stop) {
    // Checks every stored record (local header and CRC-32) ahead of use, in file order, so
    // that this work overlaps the pickle parse. Errors are left for readStorage to report.
    const Impl& d = *impl_;
    const std::string prefix = d.archive_name + "/data/";
    for (size_t i = 0; i < d.entries.size(); ++i) {
        if ((i & 1023) == 0 && stop.stop_requested()) return;
        const Entry& en = d.entries[i];
        if (en.method != kStored || en.encrypted || !d.nameOf(en).starts_with(prefix)) continue;
        try {
            d.contents(i);
        } catch (const InputError&) {
        }
    }
}

void TorchZipArchive::readStorage(std::string_view key, uint64_t declared_bytes, uint64_t byte_offset,
                                  uint64_t nbytes, void* out) const {
    const Impl& d = *impl_;
    const int64_t index = d.storageIndex(key);
    auto name = [&] { return d.archive_name + "/data/" + std::string(key); };
    if (index < 0) d.fail("tensor data record " + name() + " is missing");
    if (byte_offset > declared_bytes || nbytes > declared_bytes - byte_offset)
        d.fail("tensor reads past its storage record " + name());
    const Entry& en = d.entries[static_cast<size_t>(index)];
    if (en.size < declared_bytes)
        d.fail("tensor data record " + name() + " holds " + std::to_string(en.size) +
               " bytes, the pickle declares " + std::to_string(declared_bytes));
    const uint8_t* bytes = d.contents(static_cast<size_t>(index));
    if (nbytes > 0) std::memcpy(out, bytes + byte_offset, nbytes);
}

}  // namespace ca::torchzip
