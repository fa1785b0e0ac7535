// RW router files -> trace. Reads with the restricted unpickler (torch_pickle) and our zip
// reader (torch_zip); never executes anything from the file.
#include "core/io/rw_import.h"

#include "core/io/torch_pickle.h"
#include "core/io/torch_zip.h"
#include "core/trace/trace_writer.h"
#include "core/util/input_error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

namespace ca::rw {

namespace fs = std::filesystem;
using torchpkl::PickleDocument;
using torchpkl::ScalarType;
using torchpkl::TensorRef;
using torchpkl::Value;
using torchpkl::ValueKind;

namespace {

// A top-k list longer than this is not routing (the largest MoE models use k <= 16).
constexpr int64_t kMaxTopK = 4096;
constexpr int kMaxDuplicateWarnings = 10;

// ---- file names --------------------------------------------------------------------------

struct ChunkName {
    enum Kind { Numbered, Last, Info, Other } kind = Other;
    uint64_t number = 0;
};

ChunkName classify(const fs::path& path) {
    const std::string name = path.filename().string();
    constexpr std::string_view kPrefix = "router_weight_", kSuffix = ".pth";
    ChunkName c;
    if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix) ||
        name.size() <= kPrefix.size() + kSuffix.size())
        return c;
    const std::string_view middle =
        std::string_view(name).substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
    if (middle == "last") {
        c.kind = ChunkName::Last;
    } else if (middle == "info") {
        c.kind = ChunkName::Info;
    } else {
        const auto [end, ec] = std::from_chars(middle.data(), middle.data() + middle.size(), c.number);
        if (ec == std::errc() && end == middle.data() + middle.size()) c.kind = ChunkName::Numbered;
    }
    return c;
}

// Numbered chunks by number, then router_weight_last.pth.
void sortChunks(std::vector<std::string>& files) {
    std::stable_sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
        const ChunkName ca = classify(a), cb = classify(b);
        if (ca.kind != cb.kind) return ca.kind < cb.kind;
        return ca.number < cb.number;
    });
}

std::vector<std::string> expandDirectory(const std::string& dir, const NoteFn& note) {
    std::vector<std::string> chunks, info, others;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file(ec) || it->path().extension() != ".pth") continue;
        const std::string p = it->path().string();
        switch (classify(it->path()).kind) {
        case ChunkName::Numbered:
        case ChunkName::Last: chunks.push_back(p); break;
        case ChunkName::Info: info.push_back(p); break;
        case ChunkName::Other: others.push_back(p); break;
        }
    }
    if (ec) throw InputError(dir, "cannot list directory: " + ec.message());
    if (chunks.empty() && info.empty())
        throw InputError(dir, "no router_weight_<N>.pth, router_weight_last.pth or "
                              "router_weight_info.pth files in this directory");
    for (const auto& o : others)
        if (note) note("ignoring " + o + " (not an RW router file name)");
    if (chunks.empty()) return info;
    for (const auto& i : info)
        if (note) note("ignoring " + i + " (the chunk files beside it are imported instead)");
    sortChunks(chunks);
    return chunks;
}

// ---- labels ------------------------------------------------------------------------------

bool isValidUtf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        if (len == 0 || i + len > s.size()) return false;
        uint32_t cp = len == 1 ? c : c & (0x7f >> len);
        for (int j = 1; j < len; ++j) {
            const auto cc = static_cast<unsigned char>(s[i + j]);
            if ((cc & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += len;
    }
    return true;
}

// ---- tensor data -------------------------------------------------------------------------

float halfToFloat(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1f;
    const uint32_t mantissa = h & 0x3ff;
    if (exponent == 0) {
        const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);   // zero or subnormal
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

// Reads tensors' logical elements (row-major over sizes/strides) from an archive.
class TensorReader {
public:
    TensorReader(const torchzip::TorchZipArchive& zip, const PickleDocument& doc)
        : zip_(zip), doc_(doc) {}

    // Raw element bytes in logical order, element size elementSize(dtype).
    const std::vector<uint8_t>& bytes(const TensorRef& t) {
        const auto& storage = doc_.storage(t.storage);
        const std::string_view key = doc_.storageKey(storage);
        const int64_t es = torchpkl::elementSize(storage.dtype);
        if (storage.numel > std::numeric_limits<int64_t>::max() / es)
            throw InputError(zip_.path(), "storage " + std::string(key) + " is impossibly large");
        const uint64_t declared = static_cast<uint64_t>(storage.numel * es);
        out_.resize(static_cast<size_t>(t.numel * es));
        if (t.numel == 0) return out_;
        const auto sizes = doc_.sizes(t);
        const auto strides = doc_.strides(t);

        bool contiguous = true;
        int64_t expected = 1, last = t.offset;
        for (size_t d = sizes.size(); d-- > 0;) {
            last += (sizes[d] - 1) * strides[d];   // checked for overflow by the parser
            if (sizes[d] != 1 && strides[d] != expected) contiguous = false;
            expected *= sizes[d];
        }
        if (contiguous) {
            zip_.readStorage(key, declared, static_cast<uint64_t>(t.offset * es),
                             static_cast<uint64_t>(t.numel * es), out_.data());
            return out_;
        }
        // Strided view: read the span it covers once, unless that span is much larger than
        // the tensor (then element by element, which only odd hand-made files need).
        const int64_t span = last - t.offset + 1;
        const bool read_span = span <= 4 * t.numel + 1024;
        if (read_span) {
            scratch_.resize(static_cast<size_t>(span * es));
            zip_.readStorage(key, declared, static_cast<uint64_t>(t.offset * es),
                             static_cast<uint64_t>(span * es), scratch_.data());
        }
        std::vector<int64_t> counter(sizes.size(), 0);
        for (int64_t i = 0; i < t.numel; ++i) {
            int64_t rel = 0;
            for (size_t d = 0; d < sizes.size(); ++d) rel += counter[d] * strides[d];
            uint8_t* dst = out_.data() + i * es;
            if (read_span)
                std::memcpy(dst, scratch_.data() + rel * es, static_cast<size_t>(es));
            else
                zip_.readStorage(key, declared, static_cast<uint64_t>((t.offset + rel) * es),
                                 static_cast<uint64_t>(es), dst);
            for (size_t d = sizes.size(); d-- > 0;) {
                if (++counter[d] < sizes[d]) break;
                counter[d] = 0;
            }
        }
        return out_;
    }

private:
    const torchzip::TorchZipArchive& zip_;
    const PickleDocument& doc_;
    std::vector<uint8_t> out_, scratch_;
};

template <typename T> T load(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// ---- records -----------------------------------------------------------------------------

// Where a sample id was first seen: index into RwImport::files (the file being read has
// index files.size()) and record number.
struct IdSeen {
    size_t file;
    int64_t record;
};

// Reads the records of one file into `result`, checking them against what earlier records
// established (layers, k).
class FileReader {
public:
    FileReader(const std::string& path, RwImport& result, const RwImportOptions& options,
               std::unordered_map<std::string, IdSeen>& seen_ids, int& duplicate_count)
        : path_(path), result_(result), options_(options), seen_ids_(seen_ids),
          duplicate_count_(duplicate_count) {}

    int64_t read() {
        torchzip::TorchZipArchive zip(path_);
        std::optional<PickleDocument> parsed;
        {
            const std::vector<uint8_t> pickle = zip.readPickle();
            // Storage records are checked in one sequential pass on a second thread while the
            // pickle is parsed. If parsing throws, the jthread's destructor asks the prefetch
            // to stop and joins it; on success it must finish, so join explicitly.
            std::jthread prefetch([&zip](std::stop_token stop) { zip.prefetchStorages(stop); });
            parsed.emplace(torchpkl::parseTorchPickle(pickle, path_));
            prefetch.join();
        }
        const PickleDocument& doc = *parsed;
        doc_ = &doc;
        TensorReader tensors(zip, doc);
        tensors_ = &tensors;
        // Every routing slot costs the file at least one byte of tensor data; a file whose
        // records claim more (tensors shared or expanded with stride 0) could otherwise make
        // a small input allocate without bound.
        std::error_code ec;
        slot_budget_ = static_cast<int64_t>(fs::file_size(path_, ec)) + 1024;

        const Value& root = doc.root;
        if (root.kind != ValueKind::List)
            throw InputError(path_, "expected a list of records, found " + describe(root));
        const auto records = doc.list(root);
        result_.samples.reserve(result_.samples.size() + records.size());
        for (size_t r = 0; r < records.size(); ++r) readRecord(records[r], static_cast<int64_t>(r));
        return static_cast<int64_t>(records.size());
    }

private:
    std::string describe(const Value& v) const { return torchpkl::describe(*doc_, v, 2); }

    [[noreturn]] void fail(int64_t record, const std::string& problem) const {
        throw InputError(path_, "record " + std::to_string(record) + ": " + problem);
    }

    std::string label(const Value& v, int64_t record, const char* field) const {
        switch (v.kind) {
        case ValueKind::None: return "";
        case ValueKind::Bool: return v.i ? "True" : "False";
        case ValueKind::Int: return std::to_string(v.i);
        case ValueKind::Float: return pythonFloatString(v.f);
        case ValueKind::String: {
            const std::string_view s = doc_->string(v);
            if (!isValidUtf8(s)) fail(record, std::string("'") + field + "' is not valid UTF-8");
            return std::string(s);
        }
        default: return describe(v);
        }
    }

    const TensorRef& tensorField(const Value& layer_dict, const char* name, int64_t record,
                                 int64_t layer) const {
        const Value* v = doc_->find(layer_dict, std::string_view(name));
        if (!v) fail(record, "layer " + std::to_string(layer) + " has no '" + name + "'");
        if (v->kind != ValueKind::Tensor)
            fail(record, "layer " + std::to_string(layer) + " '" + name + "' is not a tensor");
        return doc_->tensor(*v);
    }

    void readRecord(const Value& rec, int64_t r) {
        if (rec.kind != ValueKind::Dict) fail(r, "not a dict but " + describe(rec));
        RwSample sample;
        layer_items_.clear();
        bool has_domain = false;
        const auto items = doc_->dictItems(rec);
        for (size_t i = 0; i < items.size(); i += 2) {
            const Value& key = items[i];
            const Value& value = items[i + 1];
            if (key.kind == ValueKind::Int) {
                if (key.i < 0 || key.i > std::numeric_limits<int>::max())
                    fail(r, "layer key " + std::to_string(key.i) + " out of range");
                layer_items_.emplace_back(key.i, &value);
            } else if (key.kind == ValueKind::String) {
                const std::string_view k = doc_->string(key);
                if (k == "id") sample.id = label(value, r, "id");
                else if (k == "subject") sample.subject = label(value, r, "subject");
                else if (k == "domain") {
                    sample.domain = label(value, r, "domain");
                    has_domain = true;
                } else if (k == "cognitive") sample.cognitive = label(value, r, "cognitive");
                else if (k == "difficulty") sample.difficulty = label(value, r, "difficulty");
                else if (options_.note && ignored_fields_.insert(std::string(k)).second)
                    options_.note(path_ + ": ignoring record field '" + label(key, r, "key") + "'");
            } else {
                fail(r, "unexpected key " + describe(key));
            }
        }
        if (!has_domain) fail(r, "no 'domain' field");
        if (layer_items_.empty()) fail(r, "no layer entries");
        std::sort(layer_items_.begin(), layer_items_.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        for (size_t i = 1; i < layer_items_.size(); ++i)
            if (layer_items_[i].first == layer_items_[i - 1].first)
                fail(r, "layer " + std::to_string(layer_items_[i].first) + " appears twice");

        std::vector<int>& layers = result_.model.moe_layers;
        if (layers.empty()) {
            for (const auto& [layer, value] : layer_items_) layers.push_back(static_cast<int>(layer));
        } else {
            bool same = layers.size() == layer_items_.size();
            for (size_t i = 0; same && i < layers.size(); ++i) same = layers[i] == layer_items_[i].first;
            if (!same)
                fail(r, "has layers " + layerList() + " but earlier records have " +
                            std::to_string(layers.front()) + ".." + std::to_string(layers.back()) + " (" +
                            std::to_string(layers.size()) + " layers)");
        }

        if (result_.model.top_k > 0) {
            sample.experts.reserve(layers.size() * static_cast<size_t>(result_.model.top_k));
            sample.weights.reserve(layers.size() * static_cast<size_t>(result_.model.top_k));
        }
        for (const auto& [layer, value] : layer_items_) readLayer(*value, r, layer, sample);

        if (!sample.id.empty()) {
            const IdSeen here{result_.files.size(), r};
            auto [it, inserted] = seen_ids_.emplace(sample.id, here);
            if (!inserted) {
                if (options_.note && duplicate_count_ < kMaxDuplicateWarnings)
                    options_.note("duplicate sample id '" + sample.id + "' in " + path_ + " record " +
                                  std::to_string(r) + " (first seen in " + fileName(it->second.file) +
                                  " record " + std::to_string(it->second.record) + "); both are kept");
                else if (options_.note && duplicate_count_ == kMaxDuplicateWarnings)
                    options_.note("more duplicate sample ids follow; not listing them");
                ++duplicate_count_;
            }
        }
        result_.samples.push_back(std::move(sample));
    }

    std::string fileName(size_t index) const {
        return index < result_.files.size() ? result_.files[index].path : path_;
    }

    std::string layerList() const {
        std::string s;
        for (size_t i = 0; i < layer_items_.size() && i < 8; ++i)
            s += (i ? "," : "") + std::to_string(layer_items_[i].first);
        if (layer_items_.size() > 8) s += ",...";
        return s;
    }

    void readLayer(const Value& value, int64_t r, int64_t layer, RwSample& sample) {
        // Built only for error messages: this runs for every layer of every record.
        const auto where = [layer] { return "layer " + std::to_string(layer); };
        if (value.kind != ValueKind::Dict) fail(r, where() + " is not a dict");
        const TensorRef& idx_t = tensorField(value, "topk_idx", r, layer);
        const TensorRef& w_t = tensorField(value, "topk_weight", r, layer);
        int& k = result_.model.top_k;
        if (k == 0) {
            if (idx_t.numel < 1 || idx_t.numel > kMaxTopK)
                fail(r, where() + ": topk_idx has " + std::to_string(idx_t.numel) + " elements");
            k = static_cast<int>(idx_t.numel);
        }
        if (idx_t.numel != k || w_t.numel != k)
            fail(r, where() + ": topk_idx/topk_weight have " + std::to_string(idx_t.numel) + "/" +
                        std::to_string(w_t.numel) + " elements, expected k = " + std::to_string(k));
        slot_budget_ -= k;
        if (slot_budget_ < 0)
            fail(r, "more routing entries than the file holds data for (shared or expanded tensors)");

        const ScalarType idx_type = doc_->storage(idx_t.storage).dtype;
        const ScalarType w_type = doc_->storage(w_t.storage).dtype;
        ids_.resize(k);
        weights_.resize(k);
        {
            const auto& raw = tensors_->bytes(idx_t);
            for (int j = 0; j < k; ++j) {
                int64_t v;
                switch (idx_type) {
                case ScalarType::Int64: v = load<int64_t>(&raw[j * 8]); break;
                case ScalarType::Int32: v = load<int32_t>(&raw[j * 4]); break;
                case ScalarType::Int16: v = load<int16_t>(&raw[j * 2]); break;
                case ScalarType::Int8: v = static_cast<int8_t>(raw[j]); break;
                case ScalarType::UInt8: v = raw[j]; break;
                default:
                    fail(r, where() + ": topk_idx has element type " + torchpkl::scalarTypeName(idx_type) +
                                ", expected an integer type");
                }
                if (v < 0 || v > std::numeric_limits<int32_t>::max() - 1)
                    fail(r, where() + ": expert index " + std::to_string(v) + " out of range");
                if (options_.num_experts > 0 && v >= options_.num_experts)
                    fail(r, where() + ": expert index " + std::to_string(v) + " >= --experts " +
                                std::to_string(options_.num_experts));
                ids_[j] = static_cast<int32_t>(v);
            }
        }
        {
            const auto& raw = tensors_->bytes(w_t);
            for (int j = 0; j < k; ++j) {
                float w;
                switch (w_type) {
                case ScalarType::Float32: w = load<float>(&raw[j * 4]); break;
                case ScalarType::BFloat16:
                    w = std::bit_cast<float>(uint32_t{load<uint16_t>(&raw[j * 2])} << 16);
                    break;
                case ScalarType::Float16: w = halfToFloat(load<uint16_t>(&raw[j * 2])); break;
                case ScalarType::Float64: w = static_cast<float>(load<double>(&raw[j * 8])); break;
                default:
                    fail(r, where() + ": topk_weight has element type " + torchpkl::scalarTypeName(w_type) +
                                ", expected a floating-point type");
                }
                if (!std::isfinite(w)) fail(r, where() + ": gate weight is not finite");
                weights_[j] = w;
            }
        }

        // Weight descending, ties to the lower expert id (DESIGN.md §4).
        order_.resize(k);
        for (int j = 0; j < k; ++j) order_[j] = j;
        std::sort(order_.begin(), order_.end(), [&](int a, int b) {
            if (weights_[a] != weights_[b]) return weights_[a] > weights_[b];
            return ids_[a] < ids_[b];
        });
        sorted_ids_.assign(ids_.begin(), ids_.end());
        std::sort(sorted_ids_.begin(), sorted_ids_.end());
        const auto dup = std::adjacent_find(sorted_ids_.begin(), sorted_ids_.end());
        if (dup != sorted_ids_.end())
            fail(r, where() + ": expert " + std::to_string(*dup) + " is selected twice");
        for (int j = 0; j < k; ++j) {
            sample.experts.push_back(ids_[order_[j]]);
            sample.weights.push_back(weights_[order_[j]]);
            result_.max_expert_index = std::max(result_.max_expert_index, ids_[order_[j]]);
        }
    }

    const std::string& path_;
    RwImport& result_;
    const RwImportOptions& options_;
    std::unordered_map<std::string, IdSeen>& seen_ids_;
    int& duplicate_count_;
    const PickleDocument* doc_ = nullptr;
    TensorReader* tensors_ = nullptr;
    int64_t slot_budget_ = 0;
    std::set<std::string> ignored_fields_;
    std::vector<std::pair<int64_t, const Value*>> layer_items_;
    std::vector<int32_t> ids_, sorted_ids_;
    std::vector<float> weights_;
    std::vector<int> order_;
};

}  // namespace

std::vector<std::string> resolveRwSources(const std::vector<std::string>& sources, const NoteFn& note) {
    if (sources.empty()) throw InputError("", "no RW source given");
    std::vector<std::string> files;
    bool all_chunks = true;
    for (const auto& src : sources) {
        std::error_code ec;
        const auto status = fs::status(src, ec);
        if (ec || !fs::exists(status)) throw InputError(src, "no such file or directory");
        if (fs::is_directory(status)) {
            for (auto& f : expandDirectory(src, note)) files.push_back(std::move(f));
            all_chunks = false;   // already ordered; do not mix with listed files' order
        } else {
            const auto kind = classify(src).kind;
            if (kind != ChunkName::Numbered && kind != ChunkName::Last) all_chunks = false;
            files.push_back(src);
        }
    }
    if (all_chunks) sortChunks(files);
    return files;
}

int inferNumExperts(int max_expert_index) {
    if (max_expert_index < 64) return 64;
    if (max_expert_index < 128) return 128;
    if (max_expert_index < 256) return 256;
    return max_expert_index + 1;
}

std::string pythonFloatString(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
    // Shortest round-trip digits, then Python's layout: positional for 1e-4 <= |x| < 1e16.
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    std::string sci(buf, res.ptr);
    const size_t e = sci.find('e');
    std::string mantissa = sci.substr(0, e);
    const int exponent = std::stoi(sci.substr(e + 1));
    const bool negative = mantissa[0] == '-';
    if (negative) mantissa.erase(0, 1);
    std::string digits;
    for (char c : mantissa)
        if (c != '.') digits += c;
    std::string out = negative ? "-" : "";
    if (exponent >= -5 + 1 && exponent < 16) {
        if (exponent < 0) {
            out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
        } else if (static_cast<int>(digits.size()) <= exponent + 1) {
            out += digits + std::string(static_cast<size_t>(exponent + 1 - digits.size()), '0') + ".0";
        } else {
            out += digits.substr(0, exponent + 1) + "." + digits.substr(exponent + 1);
        }
        return out;
    }
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char ebuf[16];
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + ebuf;
}

RwImport readRwFiles(const std::vector<std::string>& files, const RwImportOptions& options) {
    RwImport result;
    std::unordered_map<std::string, IdSeen> seen_ids;
    int duplicates = 0;
    for (const auto& path : files) {
        FileReader reader(path, result, options, seen_ids, duplicates);
        result.files.push_back({path, reader.read()});
    }
    if (result.samples.empty())
        throw InputError(files.empty() ? std::string() : files.front(), "no records to import");
    if (duplicates > 0 && options.note)
        options.note(std::to_string(duplicates) + " records repeat an earlier sample id");

    ModelInfo& model = result.model;
    model.architecture = options.architecture;
    model.num_shared_experts = options.num_shared_experts;
    if (options.num_experts > 0) {
        model.num_routed_experts = options.num_experts;
    } else {
        model.num_routed_experts = inferNumExperts(result.max_expert_index);
        result.experts_inferred = true;
        if (options.note)
            options.note("number of routed experts inferred as " + std::to_string(model.num_routed_experts) +
                         " from the largest expert index " + std::to_string(result.max_expert_index) +
                         " (as the authors' audit does); pass --experts to set it");
    }
    model.name = options.model_name;
    if (model.name.empty()) {
        fs::path first = fs::path(files.front());
        model.name = first.has_parent_path() ? first.parent_path().filename().string() : first.stem().string();
        if (model.name.empty() || model.name == ".") model.name = first.stem().string();
    }
    return result;
}

SampleRecord toSampleRecord(const RwSample& sample) {
    SampleRecord s;
    s.id = sample.id;
    s.subject = sample.subject;
    s.domain = sample.domain;
    s.cognitive = sample.cognitive;
    s.difficulty = sample.difficulty;
    s.token_ids = {-1};
    s.topk_experts = sample.experts;
    s.topk_weights = sample.weights;
    return s;
}

void writeRwTrace(const RwImport& imported, const std::string& out, int compression) {
    TraceLayout layout;
    layout.store_probs = false;
    layout.store_last_probs = false;   // RW files hold only the top-k
    layout.store_text = false;
    layout.compression = compression;
    TraceWriter writer = TraceWriter::create(out, imported.model, layout);

    nlohmann::json settings;
    settings["source"] = "rw-import";
    settings["source_format"] = "authors' router_lens.py RW files (torch.save)";
    settings["position"] = "last prompt token, as recorded by router_lens.py";
    settings["topk_order"] = "re-sorted by weight descending, ties to the lower expert id";
    settings["num_routed_experts_inferred"] = imported.experts_inferred;
    settings["max_expert_index"] = imported.max_expert_index;
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : imported.files) files.push_back({{"path", f.path}, {"records", f.records}});
    settings["files"] = files;
    writer.setSettingsJson(settings.dump());

    for (const auto& sample : imported.samples) writer.append(toSampleRecord(sample));
    writer.close();
}

RwImport importRw(const std::vector<std::string>& sources, const std::string& out,
                  const RwImportOptions& options) {
    RwImport imported = readRwFiles(resolveRwSources(sources, options.note), options);
    writeRwTrace(imported, out, options.compression);
    return imported;
}

}  // namespace ca::rw
