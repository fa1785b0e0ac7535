// libFuzzer target: the input is a torch.save data.pkl. It goes through the restricted
// unpickler (core/io/torch_pickle) and, when it parses, every reachable value is visited;
// then the same pickle is wrapped in a torch-style zip archive beside fixed storage records
// "0".."63" and read as an RW router file (core/io/rw_import, core/io/torch_zip), which
// exercises record walking, tensor views and dtype conversion on arbitrary structure.
// Contract: every input either parses/imports or throws ca::InputError; no crash, hang,
// leak or unbounded allocation.
#include "core/io/rw_import.h"
#include "core/io/torch_pickle.h"
#include "core/util/input_error.h"

#include <zip.h>

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_set>
#include <vector>

namespace {

using namespace ca::torchpkl;

// Visits every value reachable from the root once (cycles are legal in pickle).
size_t visitAll(const PickleDocument& doc) {
    size_t touched = 0;
    std::unordered_set<uint64_t> seen;
    std::vector<Value> todo{doc.root};
    while (!todo.empty() && touched < 1'000'000) {
        const Value v = todo.back();
        todo.pop_back();
        ++touched;
        switch (v.kind) {
        case ValueKind::String: touched += doc.string(v).size(); break;
        case ValueKind::Tuple:
            for (const Value& item : doc.tuple(v)) todo.push_back(item);
            break;
        case ValueKind::List:
        case ValueKind::Dict:
            if (seen.insert((uint64_t{v.kind == ValueKind::Dict} << 63) | v.index).second)
                for (const Value& item : doc.list(v)) todo.push_back(item);
            break;
        case ValueKind::Tensor: {
            const TensorRef& t = doc.tensor(v);
            for (int64_t s : doc.sizes(t)) touched += static_cast<size_t>(s & 1);
            for (int64_t s : doc.strides(t)) touched += static_cast<size_t>(s & 1);
            touched += doc.storageKey(doc.storage(t.storage)).size();
            break;
        }
        default: break;
        }
    }
    (void)describe(doc, doc.root);
    return touched;
}

// Storage records shared by every run: even keys hold int64 values 0..31 (valid expert
// ids), odd keys float32 weights; any dtype may be claimed over them.
std::string storageBytes(int key) {
    std::string bytes(256, '\0');
    for (int j = 0; j < 32; ++j) {
        if (key % 2 == 0) {
            const int64_t v = (j * 7 + key) % 32;
            std::memcpy(&bytes[j * 8], &v, 8);
        } else {
            const float w[2] = {1.0f / static_cast<float>(j + 2), 0.5f / static_cast<float>(key + j + 1)};
            std::memcpy(&bytes[j * 8], w, 8);
        }
    }
    return bytes;
}

bool writeArchive(const std::string& path, const uint8_t* data, size_t size) {
    static std::vector<std::string> storages = [] {
        std::vector<std::string> s;
        for (int k = 0; k < 64; ++k) s.push_back(storageBytes(k));
        return s;
    }();
    int err = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!z) return false;
    auto add = [&](const std::string& name, const void* bytes, size_t n) {
        zip_source_t* src = zip_source_buffer(z, bytes, n, 0);
        const zip_int64_t idx = zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE);
        if (idx >= 0) zip_set_file_compression(z, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0);
    };
    add("archive/data.pkl", data, size);
    for (int k = 0; k < 64; ++k) add("archive/data/" + std::to_string(k), storages[k].data(), storages[k].size());
    return zip_close(z) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const PickleDocument doc = parseTorchPickle({data, size}, "fuzz");
        visitAll(doc);
    } catch (const ca::InputError&) {
        return 0;
    }
    static const std::string path = "/tmp/ca_torch_pickle_fuzz_" + std::to_string(getpid()) + ".pth";
    if (!writeArchive(path, data, size)) return 0;
    try {
        ca::rw::RwImportOptions options;
        options.note = [](const std::string&) {};
        const auto imported = ca::rw::readRwFiles({path}, options);
        for (const auto& s : imported.samples) ca::rw::toSampleRecord(s);
    } catch (const ca::InputError&) {
    }
    return 0;
}
