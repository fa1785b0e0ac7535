// Test helpers: hand-assembled pickle streams and torch-style zip archives, so that tests
// can state exactly which bytes the reader sees (including malformed ones).
#pragma once

#include "tests/unit/util/zip_writer.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ca::testing {

using ca::test::writeZip;

// Appends pickle opcodes (Lib/pickle.py names) to a byte string.
class PickleBuilder {
public:
    PickleBuilder& proto(uint8_t v = 2) { return raw("\x80").byte(v); }
    PickleBuilder& stop() { return raw("."); }
    PickleBuilder& mark() { return raw("("); }
    PickleBuilder& none() { return raw("N"); }
    PickleBuilder& boolean(bool v) { return byte(v ? 0x88 : 0x89); }
    PickleBuilder& int1(uint8_t v) { return raw("K").byte(v); }
    PickleBuilder& int4(int32_t v) { return raw("J").le(v); }
    PickleBuilder& long1(const std::vector<uint8_t>& little_endian) {
        byte(0x8a).byte(static_cast<uint8_t>(little_endian.size()));
        for (uint8_t b : little_endian) byte(b);
        return *this;
    }
    PickleBuilder& float8(double v) {
        uint64_t bits;
        std::memcpy(&bits, &v, 8);
        bits = __builtin_bswap64(bits);
        return le(bits);
    }
    PickleBuilder& binfloat(double v) { return raw("G").float8(v); }
    PickleBuilder& str(const std::string& s) {
        raw("X").le(static_cast<uint32_t>(s.size()));
        bytes_ += s;
        return *this;
    }
    PickleBuilder& shortStr(const std::string& s) {
        byte(0x8c).byte(static_cast<uint8_t>(s.size()));
        bytes_ += s;
        return *this;
    }
    PickleBuilder& global(const std::string& module, const std::string& name) {
        bytes_ += "c" + module + "\n" + name + "\n";
        return *this;
    }
    PickleBuilder& put(uint8_t i) { return raw("q").byte(i); }
    PickleBuilder& get(uint8_t i) { return raw("h").byte(i); }
    PickleBuilder& longGet(uint32_t i) { return raw("j").le(i); }
    PickleBuilder& emptyList() { return raw("]"); }
    PickleBuilder& emptyDict() { return raw("}"); }
    PickleBuilder& emptyTuple() { return raw(")"); }
    PickleBuilder& tuple() { return raw("t"); }
    PickleBuilder& tuple1() { return byte(0x85); }
    PickleBuilder& tuple2() { return byte(0x86); }
    PickleBuilder& tuple3() { return byte(0x87); }
    PickleBuilder& append() { return raw("a"); }
    PickleBuilder& appends() { return raw("e"); }
    PickleBuilder& setitem() { return raw("s"); }
    PickleBuilder& setitems() { return raw("u"); }
    PickleBuilder& reduce() { return raw("R"); }
    PickleBuilder& persid() { return raw("Q"); }
    PickleBuilder& pop() { return raw("0"); }

    // A tensor exactly as torch.save pickles it (without memo puts):
    // _rebuild_tensor_v2(('storage', torch.<T>Storage, key, 'cpu', numel), offset, sizes,
    //                    strides, False, OrderedDict())
    PickleBuilder& tensor(const std::string& storage_type, const std::string& key, int numel,
                          int offset, const std::vector<int>& sizes, const std::vector<int>& strides) {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        mark().str("storage").global("torch", storage_type).str(key).str("cpu").int4(numel).tuple().persid();
        int4(offset);
        mark();
        for (int s : sizes) int4(s);
        tuple();
        mark();
        for (int s : strides) int4(s);
        tuple();
        boolean(false).global("collections", "OrderedDict").emptyTuple().reduce();
        return tuple().reduce();
    }

    PickleBuilder& raw(const std::string& s) {
        bytes_ += s;
        return *this;
    }
    PickleBuilder& byte(uint8_t b) {
        bytes_ += static_cast<char>(b);
        return *this;
    }
    template <typename T> PickleBuilder& le(T v) {
        char buf[sizeof(T)];
        std::memcpy(buf, &v, sizeof(T));
        bytes_.append(buf, sizeof(T));
        return *this;
    }

    const std::string& bytes() const { return bytes_; }
    std::vector<uint8_t> vec() const { return {bytes_.begin(), bytes_.end()}; }

private:
    std::string bytes_;
};

template <typename T> std::string rawBytes(const std::vector<T>& values) {
    return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

// The bytes of a zip archive laid out exactly as torch 1.13's torch.save writes it (miniz):
// stored entries in the order given, local headers without sizes (flag 0x0808) followed by
// data descriptors, an "FB" extra field padding each record's data to 64 bytes, and zip64
// end records. `entries` keeps its order (torch: data.pkl, data/<key> sorted, version).
inline std::string torchStyleZip(const std::vector<std::pair<std::string, std::string>>& entries) {
    std::string out, central;
    auto put16 = [](std::string& s, uint16_t v) { s.append(reinterpret_cast<const char*>(&v), 2); };
    auto put32 = [](std::string& s, uint32_t v) { s.append(reinterpret_cast<const char*>(&v), 4); };
    auto put64 = [](std::string& s, uint64_t v) { s.append(reinterpret_cast<const char*>(&v), 8); };
    auto crc32 = [](const std::string& d) {
        uint32_t c = 0xffffffffu;
        for (unsigned char b : d) {
            c ^= b;
            for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
        }
        return ~c;
    };
    for (const auto& [name, data] : entries) {
        const uint64_t offset = out.size();
        const size_t header = 30 + name.size() + 4;
        const uint16_t pad = static_cast<uint16_t>((64 - (offset + header) % 64) % 64);
        const uint32_t crc = crc32(data), size = static_cast<uint32_t>(data.size());
        put32(out, 0x04034b50); put16(out, 0); put16(out, 0x0808); put16(out, 0);
        put16(out, 0); put16(out, 0); put32(out, 0); put32(out, 0); put32(out, 0);
        put16(out, static_cast<uint16_t>(name.size())); put16(out, static_cast<uint16_t>(4 + pad));
        out += name;
        out += "FB";
        put16(out, pad);
        out += std::string(pad, 'Z');
        out += data;
        put32(out, 0x08074b50); put32(out, crc); put32(out, size); put32(out, size);
        put32(central, 0x02014b50); put16(central, 0); put16(central, 0); put16(central, 0x0808);
        put16(central, 0); put16(central, 0); put16(central, 0); put32(central, crc);
        put32(central, size); put32(central, size); put16(central, static_cast<uint16_t>(name.size()));
        put16(central, 0); put16(central, 0); put16(central, 0); put16(central, 0); put32(central, 0);
        put32(central, static_cast<uint32_t>(offset));
        central += name;
    }
    const uint64_t n = entries.size(), cd_offset = out.size(), zip64_offset = cd_offset + central.size();
    out += central;
    put32(out, 0x06064b50); put64(out, 44); put16(out, 798); put16(out, 45); put32(out, 0); put32(out, 0);
    put64(out, n); put64(out, n); put64(out, central.size()); put64(out, cd_offset);
    put32(out, 0x07064b50); put32(out, 0); put64(out, zip64_offset); put32(out, 1);
    put32(out, 0x06054b50); put16(out, 0); put16(out, 0);
    put16(out, static_cast<uint16_t>(std::min<uint64_t>(n, 0xffff)));
    put16(out, static_cast<uint16_t>(std::min<uint64_t>(n, 0xffff)));
    put32(out, static_cast<uint32_t>(central.size())); put32(out, static_cast<uint32_t>(cd_offset));
    put16(out, 0);
    return out;
}

inline void writeBytes(const std::filesystem::path& path, const std::string& bytes) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot write " + path.string());
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
}

// A torch.save-like archive: <name>/data.pkl, <name>/data/<key>..., <name>/version.
inline void writeTorchArchive(const std::filesystem::path& path, const std::string& pickle,
                              const std::map<std::string, std::string>& storages,
                              const std::string& name = "archive",
                              std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> entries = std::move(extra);
    entries[name + "/data.pkl"] = pickle;
    entries[name + "/version"] = "3\n";
    for (const auto& [key, data] : storages) entries[name + "/data/" + key] = data;
    writeZip(path, entries);
}

// One RW record for RwFileBuilder.
struct RwTestRecord {
    std::vector<int> layers;                       // layer keys, in dict order
    std::vector<std::vector<int64_t>> idx;         // per layer
    std::vector<std::vector<float>> weight;        // per layer
    std::string id, subject = "anatomy", domain = "Biology";
    bool with_domain = true;
};

// Builds an RW file (list of record dicts) the way torch.save lays it out; one storage per
// tensor.
inline void writeRwFile(const std::filesystem::path& path, const std::vector<RwTestRecord>& records) {
    PickleBuilder p;
    std::map<std::string, std::string> storages;
    int key = 0;
    p.proto().emptyList().mark();
    for (const auto& r : records) {
        p.emptyDict().mark();
        for (size_t l = 0; l < r.layers.size(); ++l) {
            p.int4(r.layers[l]).emptyDict().mark();
            const std::string ki = std::to_string(key++), kw = std::to_string(key++);
            const int ni = static_cast<int>(r.idx[l].size()), nw = static_cast<int>(r.weight[l].size());
            p.str("topk_idx").tensor("LongStorage", ki, ni, 0, {ni}, {1});
            p.str("topk_weight").tensor("FloatStorage", kw, nw, 0, {nw}, {1});
            p.setitems();
            storages[ki] = rawBytes(r.idx[l]);
            storages[kw] = rawBytes(r.weight[l]);
        }
        p.str("subject").str(r.subject).str("id").str(r.id);
        if (r.with_domain) p.str("domain").str(r.domain);
        p.setitems();
    }
    p.appends().stop();
    writeTorchArchive(path, p.bytes(), storages);
}

}  // namespace ca::testing
