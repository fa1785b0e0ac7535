// Restricted unpickler for torch.save's data.pkl; see torch_pickle.h for what it accepts.
//
// Every read is bounds-checked against the input, every allocation grows with bytes
// consumed (no length field is trusted beyond what remains in the input), and the parser
// is a loop over opcodes with explicit stacks, so hostile input cannot recurse deeply.
#include "core/io/torch_pickle.h"

#include "core/util/input_error.h"

#include <bit>
#include <cstdio>
#include <cstring>
#include <limits>

namespace ca::torchpkl {

static_assert(std::endian::native == std::endian::little,
              "torch archives store little-endian data; big-endian hosts are not supported");

int elementSize(ScalarType type) {
    switch (type) {
    case ScalarType::UInt8:
    case ScalarType::Int8:
    case ScalarType::Bool: return 1;
    case ScalarType::Int16:
    case ScalarType::Float16:
    case ScalarType::BFloat16: return 2;
    case ScalarType::Int32:
    case ScalarType::Float32: return 4;
    case ScalarType::Int64:
    case ScalarType::Float64: return 8;
    }
    return 1;
}

const char* scalarTypeName(ScalarType type) {
    switch (type) {
    case ScalarType::UInt8: return "Byte";
    case ScalarType::Int8: return "Char";
    case ScalarType::Int16: return "Short";
    case ScalarType::Int32: return "Int";
    case ScalarType::Int64: return "Long";
    case ScalarType::Bool: return "Bool";
    case ScalarType::Float16: return "Half";
    case ScalarType::BFloat16: return "BFloat16";
    case ScalarType::Float32: return "Float";
    case ScalarType::Float64: return "Double";
    }
    return "?";
}

namespace {

// Pickle opcodes (Lib/pickle.py). Only these are accepted.
enum Opcode : uint8_t {
    kMark = '(',
    kStop = '.',
    kPop = '0',
    kPopMark = '1',
    kBinFloat = 'G',
    kBinInt = 'J',
    kBinInt1 = 'K',
    kBinInt2 = 'M',
    kNone = 'N',
    kBinPersId = 'Q',
    kReduce = 'R',
    kBinUnicode = 'X',
    kEmptyList = ']',
    kAppend = 'a',
    kGlobal = 'c',
    kAppends = 'e',
    kBinGet = 'h',
    kLongBinGet = 'j',
    kEmptyDict = '}',
    kBinPut = 'q',
    kLongBinPut = 'r',
    kSetItem = 's',
    kTuple = 't',
    kSetItems = 'u',
    kEmptyTuple = ')',
    kProto = 0x80,
    kTuple1 = 0x85,
    kTuple2 = 0x86,
    kTuple3 = 0x87,
    kNewTrue = 0x88,
    kNewFalse = 0x89,
    kLong1 = 0x8a,
    kShortBinUnicode = 0x8c,
    kStackGlobal = 0x93,
    kMemoize = 0x94,
    kFrame = 0x95,
};

constexpr uint32_t kMaxPoolSize = std::numeric_limits<uint32_t>::max();
constexpr size_t kMaxTensorDims = 64;   // torch's own limit
constexpr size_t kMaxGlobalNameLength = 256;

struct StorageClass {
    const char* name;
    ScalarType type;
};
constexpr StorageClass kStorageClasses[] = {
    {"ByteStorage", ScalarType::UInt8},       {"CharStorage", ScalarType::Int8},
    {"ShortStorage", ScalarType::Int16},      {"IntStorage", ScalarType::Int32},
    {"LongStorage", ScalarType::Int64},       {"BoolStorage", ScalarType::Bool},
    {"HalfStorage", ScalarType::Float16},     {"BFloat16Storage", ScalarType::BFloat16},
    {"FloatStorage", ScalarType::Float32},    {"DoubleStorage", ScalarType::Float64},
};

Value makeGlobal(GlobalKind kind, ScalarType type = ScalarType::UInt8) {
    Value v;
    v.kind = ValueKind::Global;
    v.index = static_cast<uint64_t>(kind);
    v.count = static_cast<uint32_t>(type);
    return v;
}

Value makeRef(ValueKind kind, uint64_t index, uint32_t count = 0) {
    Value v;
    v.kind = kind;
    v.index = index;
    v.count = count;
    return v;
}

bool isKeyChar(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

}  // namespace

class Unpickler {
public:
    Unpickler(std::span<const uint8_t> bytes, const std::string& file)
        : in_(bytes), file_(file) {}

    PickleDocument run() {
        // torch.save memoizes nearly everything and spends about 80 pickle bytes per tensor on
        // 13 tuple items, 7 memo entries, 1 storage and 1 tensor; reserving for that up front
        // avoids regrowing (and copying) pools of hundreds of megabytes. Untouched reserve
        // costs only address space.
        const size_t n = in_.size();
        doc_.tuple_pool_.reserve(n / 5);
        doc_.string_pool_.reserve(n / 8);
        doc_.lists_.reserve(n / 64);
        doc_.tensors_.reserve(n / 64);
        doc_.storages_.reserve(n / 64);
        doc_.dims_pool_.reserve(n / 32);
        memo_.reserve(n / 10);
        stack_.reserve(64);
        while (pos_ < in_.size()) {
            op_pos_ = pos_;
            const uint8_t op = in_[pos_++];
            if (op == kStop) {
                doc_.root = pop();
                return std::move(doc_);
            }
            step(op);
        }
        fail("truncated: the pickle ends without a STOP opcode");
    }

private:
    [[noreturn]] void fail(const std::string& problem) const {
        throw InputError(file_, "data.pkl: " + problem + " (byte " + std::to_string(op_pos_) + ")");
    }

    // ---- input -------------------------------------------------------------------------
    const uint8_t* take(size_t n) {
        if (n > in_.size() - pos_) fail("truncated pickle data");
        const uint8_t* p = in_.data() + pos_;
        pos_ += n;
        return p;
    }
    template <typename T> T readLe() {
        T v;
        std::memcpy(&v, take(sizeof(T)), sizeof(T));
        return v;
    }
    double readF64Be() {
        uint64_t bits = __builtin_bswap64(readLe<uint64_t>());
        return std::bit_cast<double>(bits);
    }
    std::string_view readLine() {
        const size_t rest = std::min(in_.size() - pos_, kMaxGlobalNameLength + 1);
        const void* nl = std::memchr(in_.data() + pos_, '\n', rest);
        if (!nl) fail("malformed GLOBAL name");
        const size_t n = static_cast<const uint8_t*>(nl) - (in_.data() + pos_);
        std::string_view line(reinterpret_cast<const char*>(in_.data() + pos_), n);
        pos_ += n + 1;
        return line;
    }

    // ---- stack -------------------------------------------------------------------------
    size_t fence() const { return marks_.empty() ? 0 : marks_.back(); }
    Value pop() {
        if (stack_.size() <= fence()) fail("stack underflow");
        Value v = stack_.back();
        stack_.pop_back();
        return v;
    }
    Value& top() {
        if (stack_.size() <= fence()) fail("stack underflow");
        return stack_.back();
    }
    size_t popMark() {
        if (marks_.empty()) fail("MARK missing");
        size_t m = marks_.back();
        marks_.pop_back();
        return m;
    }

    // ---- values ------------------------------------------------------------------------
    Value addString(std::string_view s) {
        if (s.size() > kMaxPoolSize - doc_.string_pool_.size()) fail("strings too large");
        Value v = makeRef(ValueKind::String, doc_.string_pool_.size(), static_cast<uint32_t>(s.size()));
        doc_.string_pool_.append(s);
        return v;
    }
    Value addTuple(const Value* items, size_t n) {
        if (n > kMaxPoolSize - doc_.tuple_pool_.size()) fail("too many tuple items");
        Value v = makeRef(ValueKind::Tuple, doc_.tuple_pool_.size(), static_cast<uint32_t>(n));
        doc_.tuple_pool_.insert(doc_.tuple_pool_.end(), items, items + n);
        return v;
    }
    Value tupleFromTop(size_t n) {
        if (stack_.size() < fence() + n) fail("stack underflow");
        Value v = addTuple(stack_.data() + stack_.size() - n, n);
        stack_.resize(stack_.size() - n);
        return v;
    }
    Value newContainer(ValueKind kind) {
        doc_.lists_.emplace_back();
        return makeRef(kind, doc_.lists_.size() - 1);
    }
    std::vector<Value>& container(const Value& v, ValueKind kind, const char* op) {
        if (v.kind != kind)
            fail(std::string(op) + " applied to something that is not a " +
                 (kind == ValueKind::List ? "list" : "dict"));
        return doc_.lists_[v.index];
    }

    Value resolveGlobal(std::string_view module, std::string_view name) {
        if (module == "torch._utils" && name == "_rebuild_tensor_v2")
            return makeGlobal(GlobalKind::RebuildTensorV2);
        if (module == "collections" && name == "OrderedDict")
            return makeGlobal(GlobalKind::OrderedDict);
        if (module == "torch")
            for (const auto& sc : kStorageClasses)
                if (name == sc.name) return makeGlobal(GlobalKind::StorageType, sc.type);
        std::string shown = std::string(module) + "." + std::string(name);
        for (char& c : shown)
            if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
        fail("forbidden GLOBAL '" + shown + "' (only tensors, storages and OrderedDict are allowed)");
    }

    void memoPut(uint64_t index) {
        const Value v = top();
        if (index < memo_.size()) {
            memo_[index] = v;
        } else if (index == memo_.size()) {
            memo_.push_back(v);
        } else {
            fail("memo index " + std::to_string(index) + " out of sequence");
        }
    }
    void memoGet(uint64_t index) {
        if (index >= memo_.size()) fail("memo index " + std::to_string(index) + " was never stored");
        stack_.push_back(memo_[index]);
    }

    void persistentLoad() {
        const Value pid = pop();
        if (pid.kind != ValueKind::Tuple || pid.count != 5)
            fail("persistent id is not a 5-tuple ('storage', type, key, location, numel)");
        const auto f = doc_.tuple(pid);
        if (f[0].kind != ValueKind::String || doc_.string(f[0]) != "storage")
            fail("persistent id is not a storage");
        if (f[1].kind != ValueKind::Global ||
            static_cast<GlobalKind>(f[1].index) != GlobalKind::StorageType)
            fail("persistent id names no storage type");
        if (f[2].kind != ValueKind::String || f[2].count == 0 || f[2].count > 64)
            fail("storage key is not a short string");
        for (char c : doc_.string(f[2]))
            if (!isKeyChar(c)) fail("storage key has a character other than letters, digits and '_'");
        if (f[3].kind != ValueKind::String) fail("storage location is not a string");
        if (f[4].kind != ValueKind::Int || f[4].i < 0) fail("storage size is not a non-negative integer");
        if (doc_.storages_.size() >= kMaxPoolSize) fail("too many storages");
        StorageRef s;
        s.dtype = static_cast<ScalarType>(f[1].count);
        s.key_offset = static_cast<uint32_t>(f[2].index);
        s.key_size = f[2].count;
        s.numel = f[4].i;
        doc_.storages_.push_back(s);
        stack_.push_back(makeRef(ValueKind::Storage, doc_.storages_.size() - 1));
    }

    Value rebuildTensor(const Value& args_value) {
        const auto a = doc_.tuple(args_value);
        if (a.size() != 6 && a.size() != 7)
            fail("_rebuild_tensor_v2 expects 6 or 7 arguments, got " + std::to_string(a.size()));
        if (a[0].kind != ValueKind::Storage) fail("tensor argument 0 is not a storage");
        if (a[1].kind != ValueKind::Int || a[1].i < 0) fail("tensor storage offset is not a non-negative integer");
        if (a[2].kind != ValueKind::Tuple || a[3].kind != ValueKind::Tuple || a[2].count != a[3].count)
            fail("tensor size and stride are not tuples of equal length");
        if (a[2].count > kMaxTensorDims) fail("tensor has too many dimensions");
        if (a[4].kind != ValueKind::Bool) fail("tensor requires_grad is not a bool");
        if (a[5].kind != ValueKind::Dict) fail("tensor backward hooks are not a dict");
        if (a.size() == 7 && a[6].kind != ValueKind::Dict && a[6].kind != ValueKind::None)
            fail("tensor metadata is not a dict");

        const StorageRef& storage = doc_.storages_[a[0].index];
        const auto sizes = doc_.tuple(a[2]);
        const auto strides = doc_.tuple(a[3]);
        TensorRef t;
        t.storage = static_cast<uint32_t>(a[0].index);
        t.offset = a[1].i;
        t.ndim = a[2].count;
        int64_t numel = 1;
        int64_t last = t.offset;   // highest element index addressed
        for (size_t d = 0; d < sizes.size(); ++d) {
            if (sizes[d].kind != ValueKind::Int || sizes[d].i < 0 || strides[d].kind != ValueKind::Int ||
                strides[d].i < 0)
                fail("tensor sizes and strides must be non-negative integers");
            if (__builtin_mul_overflow(numel, sizes[d].i, &numel)) fail("tensor size overflows");
            if (sizes[d].i > 0) {
                int64_t reach;
                if (__builtin_mul_overflow(sizes[d].i - 1, strides[d].i, &reach) ||
                    __builtin_add_overflow(last, reach, &last))
                    fail("tensor extent overflows");
            }
        }
        t.numel = numel;
        if (numel > 0 ? last >= storage.numel : t.offset > storage.numel)
            fail("tensor addresses elements beyond its storage of " + std::to_string(storage.numel) +
                 " elements");
        if (2 * sizes.size() > kMaxPoolSize - doc_.dims_pool_.size()) fail("too many tensors");
        t.dims_offset = static_cast<uint32_t>(doc_.dims_pool_.size());
        for (const Value& s : sizes) doc_.dims_pool_.push_back(s.i);
        for (const Value& s : strides) doc_.dims_pool_.push_back(s.i);
        if (doc_.tensors_.size() >= kMaxPoolSize) fail("too many tensors");
        doc_.tensors_.push_back(t);
        return makeRef(ValueKind::Tensor, doc_.tensors_.size() - 1);
    }

    void reduce() {
        const Value args = pop();
        const Value callable = pop();
        if (callable.kind != ValueKind::Global) fail("REDUCE of something that is not an allowed GLOBAL");
        if (args.kind != ValueKind::Tuple) fail("REDUCE arguments are not a tuple");
        switch (static_cast<GlobalKind>(callable.index)) {
        case GlobalKind::RebuildTensorV2:
            stack_.push_back(rebuildTensor(args));
            return;
        case GlobalKind::OrderedDict:
            if (args.count != 0) fail("OrderedDict with constructor arguments is not supported");
            stack_.push_back(newContainer(ValueKind::Dict));
            return;
        case GlobalKind::StorageType:
            fail("storage types may only appear in persistent ids");
        }
        fail("unknown global");
    }

    void step(uint8_t op) {
        switch (op) {
        case kProto: {
            const uint8_t version = readLe<uint8_t>();
            if (version > 5) fail("unsupported pickle protocol " + std::to_string(version));
            return;
        }
        case kFrame: readLe<uint64_t>(); return;   // framing is only a read-ahead hint
        case kMark: marks_.push_back(stack_.size()); return;
        case kPop:
            if (stack_.size() > fence()) stack_.pop_back();
            else popMark();
            return;
        case kPopMark: stack_.resize(popMark()); return;
        case kNone: stack_.emplace_back(); return;
        case kNewTrue:
        case kNewFalse: {
            Value v;
            v.kind = ValueKind::Bool;
            v.i = op == kNewTrue;
            stack_.push_back(v);
            return;
        }
        case kBinInt: pushInt(readLe<int32_t>()); return;
        case kBinInt1: pushInt(readLe<uint8_t>()); return;
        case kBinInt2: pushInt(readLe<uint16_t>()); return;
        case kLong1: {
            const uint8_t n = readLe<uint8_t>();
            if (n > 8) fail("integer wider than 64 bits");
            const uint8_t* p = take(n);
            uint64_t u = 0;
            for (int b = n - 1; b >= 0; --b) u = (u << 8) | p[b];
            if (n > 0 && n < 8 && (p[n - 1] & 0x80)) u |= ~uint64_t{0} << (8 * n);   // sign-extend
            pushInt(static_cast<int64_t>(u));
            return;
        }
        case kBinFloat: {
            Value v;
            v.kind = ValueKind::Float;
            v.f = readF64Be();
            stack_.push_back(v);
            return;
        }
        case kBinUnicode: {
            const uint32_t n = readLe<uint32_t>();
            const uint8_t* p = take(n);
            stack_.push_back(addString({reinterpret_cast<const char*>(p), n}));
            return;
        }
        case kShortBinUnicode: {
            const uint8_t n = readLe<uint8_t>();
            const uint8_t* p = take(n);
            stack_.push_back(addString({reinterpret_cast<const char*>(p), n}));
            return;
        }
        case kEmptyTuple: stack_.push_back(addTuple(nullptr, 0)); return;
        case kTuple1: stack_.push_back(tupleFromTop(1)); return;
        case kTuple2: stack_.push_back(tupleFromTop(2)); return;
        case kTuple3: stack_.push_back(tupleFromTop(3)); return;
        case kTuple: {
            const size_t m = popMark();
            Value v = addTuple(stack_.data() + m, stack_.size() - m);
            stack_.resize(m);
            stack_.push_back(v);
            return;
        }
        case kEmptyList: stack_.push_back(newContainer(ValueKind::List)); return;
        case kEmptyDict: stack_.push_back(newContainer(ValueKind::Dict)); return;
        case kAppend: {
            const Value v = pop();
            container(top(), ValueKind::List, "APPEND").push_back(v);
            return;
        }
        case kAppends: {
            const size_t m = popMark();
            if (m == 0 || m <= fence()) fail("APPENDS without a list");
            auto& items = container(stack_[m - 1], ValueKind::List, "APPENDS");
            items.insert(items.end(), stack_.begin() + m, stack_.end());
            stack_.resize(m);
            return;
        }
        case kSetItem: {
            const Value v = pop();
            const Value k = pop();
            auto& items = container(top(), ValueKind::Dict, "SETITEM");
            items.push_back(k);
            items.push_back(v);
            return;
        }
        case kSetItems: {
            const size_t m = popMark();
            if (m == 0 || m <= fence()) fail("SETITEMS without a dict");
            if ((stack_.size() - m) % 2 != 0) fail("SETITEMS with an odd number of items");
            auto& items = container(stack_[m - 1], ValueKind::Dict, "SETITEMS");
            items.insert(items.end(), stack_.begin() + m, stack_.end());
            stack_.resize(m);
            return;
        }
        case kBinPut: memoPut(readLe<uint8_t>()); return;
        case kLongBinPut: memoPut(readLe<uint32_t>()); return;
        case kMemoize: memoPut(memo_.size()); return;
        case kBinGet: memoGet(readLe<uint8_t>()); return;
        case kLongBinGet: memoGet(readLe<uint32_t>()); return;
        case kGlobal: {
            const std::string_view module = readLine();
            const std::string_view name = readLine();
            stack_.push_back(resolveGlobal(module, name));
            return;
        }
        case kStackGlobal: {
            const Value name = pop();
            const Value module = pop();
            if (name.kind != ValueKind::String || module.kind != ValueKind::String)
                fail("STACK_GLOBAL names are not strings");
            stack_.push_back(resolveGlobal(doc_.string(module), doc_.string(name)));
            return;
        }
        case kBinPersId: persistentLoad(); return;
        case kReduce: reduce(); return;
        default: {
            static const char* hex = "0123456789abcdef";
            fail(std::string("unsupported pickle opcode 0x") + hex[op >> 4] + hex[op & 15]);
        }
        }
    }

    void pushInt(int64_t i) {
        Value v;
        v.kind = ValueKind::Int;
        v.i = i;
        stack_.push_back(v);
    }

    std::span<const uint8_t> in_;
    const std::string& file_;
    size_t pos_ = 0;
    size_t op_pos_ = 0;
    PickleDocument doc_;
    std::vector<Value> stack_;
    std::vector<size_t> marks_;
    std::vector<Value> memo_;
};

// ---- PickleDocument ----------------------------------------------------------------------

std::string_view PickleDocument::string(const Value& v) const {
    return std::string_view(string_pool_).substr(v.index, v.count);
}

std::span<const Value> PickleDocument::tuple(const Value& v) const {
    return std::span<const Value>(tuple_pool_).subspan(v.index, v.count);
}

std::span<const Value> PickleDocument::list(const Value& v) const { return lists_[v.index]; }

std::span<const Value> PickleDocument::dictItems(const Value& v) const { return lists_[v.index]; }

const TensorRef& PickleDocument::tensor(const Value& v) const { return tensors_[v.index]; }

std::span<const int64_t> PickleDocument::sizes(const TensorRef& t) const {
    return std::span<const int64_t>(dims_pool_).subspan(t.dims_offset, t.ndim);
}

std::span<const int64_t> PickleDocument::strides(const TensorRef& t) const {
    return std::span<const int64_t>(dims_pool_).subspan(t.dims_offset + t.ndim, t.ndim);
}

std::string_view PickleDocument::storageKey(const StorageRef& s) const {
    return std::string_view(string_pool_).substr(s.key_offset, s.key_size);
}

const Value* PickleDocument::find(const Value& dict, std::string_view key) const {
    const auto items = dictItems(dict);
    for (size_t i = items.size(); i >= 2; i -= 2)
        if (items[i - 2].kind == ValueKind::String && string(items[i - 2]) == key) return &items[i - 1];
    return nullptr;
}

const Value* PickleDocument::find(const Value& dict, int64_t key) const {
    const auto items = dictItems(dict);
    for (size_t i = items.size(); i >= 2; i -= 2)
        if (items[i - 2].kind == ValueKind::Int && items[i - 2].i == key) return &items[i - 1];
    return nullptr;
}

PickleDocument parseTorchPickle(std::span<const uint8_t> bytes, const std::string& file) {
    return Unpickler(bytes, file).run();
}

namespace {

void describeInto(const PickleDocument& doc, const Value& v, int depth, std::string& out) {
    constexpr size_t kMaxItems = 8;
    constexpr size_t kMaxChars = 200;
    if (out.size() > kMaxChars) return;
    auto seq = [&](std::span<const Value> items, const char* open, const char* close, bool pairs) {
        out += open;
        if (depth <= 0 && !items.empty()) {
            out += "...";
        } else {
            const size_t step = pairs ? 2 : 1;
            for (size_t i = 0; i < items.size(); i += step) {
                if (i > 0) out += ", ";
                if (i / step >= kMaxItems) {
                    out += "...";
                    break;
                }
                describeInto(doc, items[i], depth - 1, out);
                if (pairs) {
                    out += ": ";
                    describeInto(doc, items[i + 1], depth - 1, out);
                }
            }
        }
        out += close;
    };
    switch (v.kind) {
    case ValueKind::None: out += "None"; return;
    case ValueKind::Bool: out += v.i ? "True" : "False"; return;
    case ValueKind::Int: out += std::to_string(v.i); return;
    case ValueKind::Float: {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", v.f);
        out += buf;
        return;
    }
    case ValueKind::String:
        out += '\'';
        out += doc.string(v).substr(0, 64);
        out += '\'';
        return;
    case ValueKind::Tuple: seq(doc.tuple(v), "(", ")", false); return;
    case ValueKind::List: seq(doc.list(v), "[", "]", false); return;
    case ValueKind::Dict: seq(doc.dictItems(v), "{", "}", true); return;
    case ValueKind::Tensor: out += "<tensor>"; return;
    case ValueKind::Storage: out += "<storage>"; return;
    case ValueKind::Global: out += "<global>"; return;
    }
}

}  // namespace

std::string describe(const PickleDocument& doc, const Value& v, int depth) {
    std::string out;
    describeInto(doc, v, depth, out);
    return out;
}

}  // namespace ca::torchpkl
