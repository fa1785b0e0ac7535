// A restricted reader for the pickle stream inside a torch.save archive (data.pkl).
//
// Python's unpickler executes whatever callables a file names; this one only understands
// the data opcodes torch.save emits for plain containers of tensors (protocol 2, plus the
// protocol-4 framing/short-string/memoize opcodes) and a whitelist of three kinds of
// GLOBAL: torch._utils._rebuild_tensor_v2, the typed storage classes torch.<T>Storage,
// and collections.OrderedDict. Nothing is ever "called": a REDUCE of a whitelisted global
// builds a plain value (a tensor reference or an empty dict). Anything else, any
// inconsistent size, offset or stride, or any truncation throws InputError.
//
// The result is a value tree held in one arena (PickleDocument): containers refer to their
// items by index, so shared and even cyclic references (legal in pickle) need no ownership.
// Tensors are only described here (dtype, storage key, offset, sizes, strides, all
// bounds-checked against the storage's declared element count); their bytes live in the
// archive's data/<key> records and are read by TorchZipArchive.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ca::torchpkl {

// Element types of torch storages this reader accepts (torch.<Name>Storage).
enum class ScalarType : uint8_t { UInt8, Int8, Int16, Int32, Int64, Bool, Float16, BFloat16,
                                  Float32, Float64 };
int elementSize(ScalarType type);
const char* scalarTypeName(ScalarType type);   // "Long", "Float", ... as in torch.LongStorage

enum class ValueKind : uint8_t {
    None, Bool, Int, Float, String, Tuple, List, Dict, Tensor, Storage, Global
};

// What a whitelisted GLOBAL names.
enum class GlobalKind : uint8_t { RebuildTensorV2, OrderedDict, StorageType };

// One value: 16 bytes, no ownership. Meaning of the fields by kind:
//   Bool/Int: i;  Float: f;  String: [offset, offset+count) in the string pool;
//   Tuple: [offset, offset+count) in the tuple pool;  List/Dict/Tensor/Storage: index;
//   Global: index = GlobalKind, count = ScalarType (for StorageType).
struct Value {
    ValueKind kind = ValueKind::None;
    uint32_t count = 0;
    union {
        int64_t i;
        double f;
        uint64_t index;
    };
    Value() : i(0) {}
};

// A storage named by a persistent id ('storage', torch.<T>Storage, key, location, numel).
// The key (a record name under <archive>/data/, letters, digits and '_' only) is kept in the
// document's string pool: PickleDocument::storageKey() returns it.
struct StorageRef {
    ScalarType dtype = ScalarType::Float32;
    uint32_t key_offset = 0;
    uint32_t key_size = 0;
    int64_t numel = 0;     // elements the storage declares
};

// A tensor rebuilt by _rebuild_tensor_v2; every element it addresses lies inside its storage.
// Sizes and strides (in elements) live in the document's dimension pool.
struct TensorRef {
    uint32_t storage = 0;          // index into PickleDocument::storages()
    uint32_t dims_offset = 0;      // sizes at [dims_offset, +ndim), strides right after
    uint32_t ndim = 0;
    int64_t offset = 0;            // storage offset, in elements
    int64_t numel = 1;
};

class PickleDocument {
public:
    Value root;

    std::string_view string(const Value& v) const;
    std::span<const Value> tuple(const Value& v) const;
    std::span<const Value> list(const Value& v) const;
    // Dict items flattened as key, value, key, value, ... in insertion order.
    std::span<const Value> dictItems(const Value& v) const;
    const TensorRef& tensor(const Value& v) const;
    std::span<const int64_t> sizes(const TensorRef& t) const;
    std::span<const int64_t> strides(const TensorRef& t) const;
    const StorageRef& storage(uint32_t index) const { return storages_[index]; }
    std::string_view storageKey(const StorageRef& s) const;
    const std::vector<StorageRef>& storages() const { return storages_; }
    size_t numTensors() const { return tensors_.size(); }

    // The value stored under a string or integer key (the last one if a malformed
    // stream repeated a key), or nullptr.
    const Value* find(const Value& dict, std::string_view key) const;
    const Value* find(const Value& dict, int64_t key) const;

private:
    friend class Unpickler;
    std::string string_pool_;
    std::vector<Value> tuple_pool_;
    std::vector<std::vector<Value>> lists_;   // lists and dicts (dicts flattened k, v)
    std::vector<TensorRef> tensors_;
    std::vector<int64_t> dims_pool_;
    std::vector<StorageRef> storages_;
};

// Parses a torch.save data.pkl. `file` names the source in error messages.
PickleDocument parseTorchPickle(std::span<const uint8_t> bytes, const std::string& file);

// A short Python-like rendering of a value ("None", "3", "'abc'", "[1, 2]", "<tensor>"),
// depth- and length-limited; for labels of unknown type and error messages.
std::string describe(const PickleDocument& doc, const Value& v, int depth = 3);

}  // namespace ca::torchpkl
