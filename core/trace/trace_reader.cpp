#include "core/trace/trace_reader.h"

#include "core/trace/hdf5_handle.h"
#include "core/trace/trace_format.h"
#include "core/util/input_error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace ca {

namespace fmt = trace_format;
using h5::Handle;

namespace {

constexpr int64_t kMaxExperts = 1 << 16;
constexpr int64_t kMaxLayers = 4096;
constexpr int64_t kMaxTopK = 1024;

}  // namespace

struct TraceReader::Impl {
    std::string path;
    Handle file;
    ModelInfo model;
    int64_t S = 0, T = 0;
    std::vector<int64_t> offsets;
    std::vector<std::string> ids, subjects, domains, cognitive, difficulty;
    Handle topk_experts, topk_weights, probs, last_probs, last_topk_experts, last_topk_weights,
        token_ids, token_piece, prompt;
    std::string settings;
    int64_t chunk_rows = 1;

    [[noreturn]] void fail(const std::string& problem) const { throw InputError(path, problem); }

    // How a dataset is read: Default keeps HDF5's chunk cache (small datasets, strings).
    // Bulk is for the big arrays, read in large row ranges: without filters, no chunk cache,
    // so whole chunks go from the file straight into the caller's buffer (one copy less);
    // with filters (older files, other writers), a chunk cache big enough that a chunk read
    // in parts by consecutive calls is inflated once.
    enum class Access { Default, Bulk };

    Handle openDataset(const char* name, bool required, Access access = Access::Default) const {
        if (!h5::exists(file, name)) {
            if (required) fail(std::string("missing dataset ") + name);
            return Handle();
        }
        Handle ds(H5Dopen2(file, name, H5P_DEFAULT));
        if (!ds.valid()) fail(std::string("cannot open dataset ") + name);
        if (access == Access::Default) return ds;
        const bool filtered = [&] {
            Handle dcpl(H5Dget_create_plist(ds));
            return H5Pget_nfilters(dcpl) > 0;
        }();
        // Close before reopening: a dataset opened twice shares the first opening's chunk
        // cache, and the access properties below would be ignored.
        ds.reset();
        Handle dapl(H5Pcreate(H5P_DATASET_ACCESS));
        if (filtered) H5Pset_chunk_cache(dapl, 521, size_t{8} << 20, H5D_CHUNK_CACHE_W0_DEFAULT);
        else H5Pset_chunk_cache(dapl, 0, 0, H5D_CHUNK_CACHE_W0_DEFAULT);
        ds = Handle(H5Dopen2(file, name, dapl));
        if (!ds.valid()) fail(std::string("cannot open dataset ") + name);
        return ds;
    }

    void expectShape(hid_t ds, const char* name, std::vector<int64_t> want_tail, int64_t min_rows) const {
        const auto shape = h5::shapeOf(ds);
        if (shape.size() != want_tail.size() + 1)
            fail(std::string(name) + " has rank " + std::to_string(shape.size()) + ", expected " +
                 std::to_string(want_tail.size() + 1));
        if (static_cast<int64_t>(shape[0]) < min_rows)
            fail(std::string(name) + " has " + std::to_string(shape[0]) + " rows, expected at least " +
                 std::to_string(min_rows) + " (truncated file?)");
        for (size_t i = 0; i < want_tail.size(); ++i)
            if (static_cast<int64_t>(shape[i + 1]) != want_tail[i])
                fail(std::string(name) + " axis " + std::to_string(i + 1) + " is " +
                     std::to_string(shape[i + 1]) + ", expected " + std::to_string(want_tail[i]));
    }

    void expectClass(hid_t ds, const char* name, H5T_class_t cls) const {
        Handle t(H5Dget_type(ds));
        if (H5Tget_class(t) != cls)
            fail(std::string(name) + " has the wrong element type");
    }

    std::vector<std::string> readStrings(const char* name, int64_t row0, int64_t n) const {
        Handle ds = openDataset(name, true);
        expectClass(ds, name, H5T_STRING);
        std::vector<std::string> out(static_cast<size_t>(n));
        if (n == 0) return out;
        Handle ftype(H5Dget_type(ds));
        Handle fspace(H5Dget_space(ds));
        const hsize_t start = static_cast<hsize_t>(row0), count = static_cast<hsize_t>(n);
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, nullptr, &count, nullptr);
        Handle mspace(H5Screate_simple(1, &count, nullptr));
        if (H5Tis_variable_str(ftype) > 0) {
            Handle mtype = h5::utf8StringType();
            std::vector<char*> ptrs(static_cast<size_t>(n), nullptr);
            if (H5Dread(ds, mtype, mspace, fspace, H5P_DEFAULT, ptrs.data()) < 0)
                fail(std::string("cannot read ") + name);
            for (size_t i = 0; i < ptrs.size(); ++i) out[i] = ptrs[i] ? ptrs[i] : "";
            H5Dvlen_reclaim(mtype, mspace, H5P_DEFAULT, ptrs.data());
        } else {
            const size_t size = H5Tget_size(ftype);
            if (size == 0 || size > (1u << 20)) fail(std::string(name) + " has an invalid string size");
            Handle mtype(H5Tcopy(H5T_C_S1));
            H5Tset_size(mtype, size);
            std::string buf(size * static_cast<size_t>(n), '\0');
            if (H5Dread(ds, mtype, mspace, fspace, H5P_DEFAULT, buf.data()) < 0)
                fail(std::string("cannot read ") + name);
            for (size_t i = 0; i < out.size(); ++i) {
                std::string s = buf.substr(i * size, size);
                out[i] = s.substr(0, s.find('\0'));
            }
        }
        return out;
    }

    template <typename T>
    void readRows(hid_t ds, hid_t mem_type, const char* name, int64_t row0, int64_t nrows,
                  int64_t total_rows, std::vector<T>& out) const {
        if (row0 < 0 || nrows < 0 || row0 + nrows > total_rows)
            throw std::out_of_range(std::string("row range outside ") + name);
        auto shape = h5::shapeOf(ds);
        size_t row_elems = 1;
        for (size_t i = 1; i < shape.size(); ++i) row_elems *= shape[i];
        out.resize(static_cast<size_t>(nrows) * row_elems);
        readRowsInto(ds, mem_type, name, row0, nrows, total_rows, out.data());
    }

    // Caller guarantees room for nrows rows.
    void readRowsInto(hid_t ds, hid_t mem_type, const char* name, int64_t row0, int64_t nrows,
                      int64_t total_rows, void* out) const {
        if (row0 < 0 || nrows < 0 || row0 + nrows > total_rows)
            throw std::out_of_range(std::string("row range outside ") + name);
        auto shape = h5::shapeOf(ds);
        if (nrows == 0) return;
        Handle fspace(H5Dget_space(ds));
        std::vector<hsize_t> start(shape.size(), 0), count = shape;
        start[0] = static_cast<hsize_t>(row0);
        count[0] = static_cast<hsize_t>(nrows);
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
        Handle mspace(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr));
        if (H5Dread(ds, mem_type, mspace, fspace, H5P_DEFAULT, out) < 0)
            fail(std::string("cannot read ") + name + " (corrupt data?)");
    }

    void readModel() {
        if (!h5::exists(file, "/model")) fail("missing group /model");
        Handle g(H5Gopen2(file, "/model", H5P_DEFAULT));
        int64_t E = 0, k = 0, shared = 0;
        std::vector<int64_t> layers;
        if (!h5::readIntAttr(g, "num_routed_experts", E)) fail("missing /model attribute num_routed_experts");
        if (!h5::readIntAttr(g, "top_k", k)) fail("missing /model attribute top_k");
        if (!h5::readIntArrayAttr(g, "moe_layers", layers)) fail("missing /model attribute moe_layers");
        h5::readIntAttr(g, "num_shared_experts", shared);
        h5::readStringAttr(g, "name", model.name);
        h5::readStringAttr(g, "architecture", model.architecture);
        if (E <= 0 || E > kMaxExperts) fail("num_routed_experts " + std::to_string(E) + " out of range");
        if (k <= 0 || k > kMaxTopK || k > E) fail("top_k " + std::to_string(k) + " out of range");
        if (layers.empty() || static_cast<int64_t>(layers.size()) > kMaxLayers)
            fail("moe_layers must list 1.." + std::to_string(kMaxLayers) + " layers");
        if (shared < 0 || shared > kMaxExperts) fail("num_shared_experts out of range");
        model.num_routed_experts = static_cast<int>(E);
        model.top_k = static_cast<int>(k);
        model.num_shared_experts = static_cast<int>(shared);
        model.moe_layers.assign(layers.begin(), layers.end());
    }

    void open() {
        h5::silenceErrorStack();
        if (H5Fis_hdf5(path.c_str()) <= 0) {
            FILE* f = std::fopen(path.c_str(), "rb");
            if (!f) fail("cannot open (no such file or not readable)");
            std::fclose(f);
            fail("not an HDF5 file (or truncated)");
        }
        file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
        if (!file.valid()) fail("cannot open as HDF5 (corrupt or truncated?)");
        std::string format;
        int64_t version = 0;
        if (!h5::readStringAttr(file, "format", format) || format != fmt::kFormat)
            fail("not a committee-audit trace (root attribute format != \"committee-audit-trace\")");
        if (!h5::readIntAttr(file, "format_version", version)) fail("missing format_version");
        if (version != fmt::kVersion)
            fail("unsupported trace format_version " + std::to_string(version) + " (this build reads 1)");
        readModel();
        h5::readStringAttr(file, fmt::kSettingsAttr, settings);
        const int64_t L = model.numLayers(), k = model.top_k, E = model.num_routed_experts;

        // Samples: the complete-sample count decides what is valid.
        Handle off_ds = openDataset(fmt::kTokenOffset, true);
        expectClass(off_ds, fmt::kTokenOffset, H5T_INTEGER);
        expectShape(off_ds, fmt::kTokenOffset, {}, 1);
        const int64_t off_rows = static_cast<int64_t>(h5::shapeOf(off_ds)[0]);
        int64_t complete = off_rows - 1;
        if (h5::exists(file, "/samples")) {
            Handle g(H5Gopen2(file, "/samples", H5P_DEFAULT));
            int64_t c = 0;
            if (h5::readIntAttr(g, fmt::kCompleteSamples, c)) {
                if (c < 0 || c > off_rows - 1)
                    fail("complete_samples " + std::to_string(c) + " exceeds the stored samples");
                complete = c;
            }
        }
        S = complete;
        readRows(off_ds, H5T_NATIVE_INT64, fmt::kTokenOffset, 0, S + 1, off_rows, offsets);
        if (offsets[0] != 0) fail("token_offset must start at 0");
        for (int64_t s = 0; s < S; ++s)
            if (offsets[s + 1] <= offsets[s])
                fail("token_offset is not increasing at sample " + std::to_string(s));
        T = offsets[S];

        token_ids = openDataset(fmt::kTokenIds, true);
        expectClass(token_ids, fmt::kTokenIds, H5T_INTEGER);
        expectShape(token_ids, fmt::kTokenIds, {}, T);
        topk_experts = openDataset(fmt::kTopkExperts, true);
        expectClass(topk_experts, fmt::kTopkExperts, H5T_INTEGER);
        expectShape(topk_experts, fmt::kTopkExperts, {L, k}, T);
        topk_weights = openDataset(fmt::kTopkWeights, true);
        expectClass(topk_weights, fmt::kTopkWeights, H5T_FLOAT);
        expectShape(topk_weights, fmt::kTopkWeights, {L, k}, T);
        probs = openDataset(fmt::kProbs, false, Access::Bulk);
        if (probs.valid()) {
            expectClass(probs, fmt::kProbs, H5T_FLOAT);
            expectShape(probs, fmt::kProbs, {L, E}, T);
        }
        last_probs = openDataset(fmt::kLastProbs, false, Access::Bulk);
        if (last_probs.valid()) {
            expectClass(last_probs, fmt::kLastProbs, H5T_FLOAT);
            expectShape(last_probs, fmt::kLastProbs, {L, E}, S);
        }
        // The last-token top-k: optional (older files lack it), but both or neither.
        last_topk_experts = openDataset(fmt::kLastTopkExperts, false, Access::Bulk);
        last_topk_weights = openDataset(fmt::kLastTopkWeights, false, Access::Bulk);
        if (last_topk_experts.valid() != last_topk_weights.valid())
            fail(std::string(last_topk_experts.valid() ? fmt::kLastTopkExperts : fmt::kLastTopkWeights) +
                 " is present without " +
                 (last_topk_experts.valid() ? fmt::kLastTopkWeights : fmt::kLastTopkExperts));
        if (last_topk_experts.valid()) {
            expectClass(last_topk_experts, fmt::kLastTopkExperts, H5T_INTEGER);
            expectShape(last_topk_experts, fmt::kLastTopkExperts, {L, k}, S);
            expectClass(last_topk_weights, fmt::kLastTopkWeights, H5T_FLOAT);
            expectShape(last_topk_weights, fmt::kLastTopkWeights, {L, k}, S);
        }
        token_piece = openDataset(fmt::kTokenPiece, false);
        if (token_piece.valid()) expectShape(token_piece, fmt::kTokenPiece, {}, T);
        prompt = openDataset(fmt::kPrompt, false);
        if (prompt.valid()) expectShape(prompt, fmt::kPrompt, {}, S);

        for (const char* name : {fmt::kSampleId, fmt::kSampleSubject, fmt::kSampleDomain}) {
            Handle ds = openDataset(name, true);
            expectShape(ds, name, {}, S);
        }
        ids = readStrings(fmt::kSampleId, 0, S);
        subjects = readStrings(fmt::kSampleSubject, 0, S);
        domains = readStrings(fmt::kSampleDomain, 0, S);
        cognitive = optionalStrings(fmt::kSampleCognitive);
        difficulty = optionalStrings(fmt::kSampleDifficulty);

        Handle dcpl(H5Dget_create_plist(topk_experts));
        if (H5Pget_layout(dcpl) == H5D_CHUNKED) {
            hsize_t chunk[3] = {1, 1, 1};
            if (H5Pget_chunk(dcpl, 3, chunk) >= 1) chunk_rows = static_cast<int64_t>(chunk[0]);
        }
    }

    // A per-sample label dataset that older traces lack: S empty strings then.
    std::vector<std::string> optionalStrings(const char* name) const {
        if (!h5::exists(file, name)) return std::vector<std::string>(static_cast<size_t>(S));
        Handle ds = openDataset(name, true);
        expectShape(ds, name, {}, S);
        return readStrings(name, 0, S);
    }

    std::vector<int32_t> readIntPerSample(const char* name) const {
        std::vector<int32_t> out;
        if (!h5::exists(file, name)) return std::vector<int32_t>(static_cast<size_t>(S), -1);
        Handle ds(H5Dopen2(file, name, H5P_DEFAULT));
        expectShape(ds, name, {}, S);
        readRows(ds, H5T_NATIVE_INT32, name, 0, S, S, out);
        return out;
    }
};

TraceReader::TraceReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
    impl_->path = path;
    impl_->open();
}
TraceReader::TraceReader(TraceReader&&) noexcept = default;
TraceReader& TraceReader::operator=(TraceReader&&) noexcept = default;
TraceReader::~TraceReader() = default;

const std::string& TraceReader::path() const { return impl_->path; }
const ModelInfo& TraceReader::model() const { return impl_->model; }
int64_t TraceReader::numSamples() const { return impl_->S; }
int64_t TraceReader::numTokens() const { return impl_->T; }
const std::vector<int64_t>& TraceReader::tokenOffsets() const { return impl_->offsets; }
const std::vector<std::string>& TraceReader::sampleIds() const { return impl_->ids; }
const std::vector<std::string>& TraceReader::sampleSubjects() const { return impl_->subjects; }
const std::vector<std::string>& TraceReader::sampleDomains() const { return impl_->domains; }
const std::vector<std::string>& TraceReader::sampleLabels(SampleLabel label) const {
    switch (label) {
    case SampleLabel::Subject: return impl_->subjects;
    case SampleLabel::Cognitive: return impl_->cognitive;
    case SampleLabel::Difficulty: return impl_->difficulty;
    case SampleLabel::Domain: break;
    }
    return impl_->domains;
}
std::vector<int32_t> TraceReader::sampleAnswers() const { return impl_->readIntPerSample(fmt::kAnswer); }
std::vector<int32_t> TraceReader::samplePredictions() const {
    return impl_->readIntPerSample(fmt::kPredicted);
}
std::string TraceReader::settingsJson() const { return impl_->settings; }
bool TraceReader::hasProbs() const { return impl_->probs.valid(); }
bool TraceReader::hasLastProbs() const { return impl_->last_probs.valid(); }
bool TraceReader::hasLastTopk() const { return impl_->last_topk_experts.valid(); }
bool TraceReader::hasText() const { return impl_->prompt.valid() && impl_->token_piece.valid(); }
int64_t TraceReader::chunkRows() const { return impl_->chunk_rows; }

void TraceReader::readTopk(int64_t row0, int64_t nrows, std::vector<int32_t>& experts,
                           std::vector<float>& weights) const {
    const Impl& d = *impl_;
    d.readRows(d.topk_experts, H5T_NATIVE_INT32, fmt::kTopkExperts, row0, nrows, d.T, experts);
    d.readRows(d.topk_weights, H5T_NATIVE_FLOAT, fmt::kTopkWeights, row0, nrows, d.T, weights);
    const int32_t E = d.model.num_routed_experts;
    for (int32_t e : experts)
        if (e < 0 || e >= E)
            d.fail("routing/topk_experts holds expert id " + std::to_string(e) + " outside [0, " +
                   std::to_string(E) + ")");
}

void TraceReader::readProbs(int64_t row0, int64_t nrows, std::vector<float>& out) const {
    const Impl& d = *impl_;
    if (!d.probs.valid()) d.fail("no /routing/probs (capture with --full-probs)");
    d.readRows(d.probs, H5T_NATIVE_FLOAT, fmt::kProbs, row0, nrows, d.T, out);
}

void TraceReader::readLastProbs(int64_t s0, int64_t ns, std::vector<float>& out) const {
    const Impl& d = *impl_;
    if (!d.last_probs.valid()) d.fail("no /samples/last_probs in this trace");
    d.readRows(d.last_probs, H5T_NATIVE_FLOAT, fmt::kLastProbs, s0, ns, d.S, out);
}

void TraceReader::readLastProbsInto(int64_t s0, int64_t ns, float* out) const {
    const Impl& d = *impl_;
    if (!d.last_probs.valid()) d.fail("no /samples/last_probs in this trace");
    d.readRowsInto(d.last_probs, H5T_NATIVE_FLOAT, fmt::kLastProbs, s0, ns, d.S, out);
}

void TraceReader::readLastTopk(int64_t s0, int64_t ns, std::vector<int32_t>& experts,
                               std::vector<float>& weights) const {
    const size_t n = static_cast<size_t>(std::max<int64_t>(ns, 0)) * numLayers() * topK();
    experts.resize(n);
    weights.resize(n);
    readLastTopkInto(s0, ns, experts.data(), weights.data());
}

void TraceReader::readLastTopkInto(int64_t s0, int64_t ns, int32_t* experts, float* weights) const {
    const Impl& d = *impl_;
    if (!d.last_topk_experts.valid()) d.fail("no /samples/last_topk_experts in this trace");
    d.readRowsInto(d.last_topk_experts, H5T_NATIVE_INT32, fmt::kLastTopkExperts, s0, ns, d.S, experts);
    d.readRowsInto(d.last_topk_weights, H5T_NATIVE_FLOAT, fmt::kLastTopkWeights, s0, ns, d.S, weights);
    const int32_t E = d.model.num_routed_experts;
    const int64_t n = ns * numLayers() * topK();
    for (int64_t i = 0; i < n; ++i)
        if (experts[i] < 0 || experts[i] >= E)
            d.fail(std::string(fmt::kLastTopkExperts) + " holds expert id " + std::to_string(experts[i]) +
                   " outside [0, " + std::to_string(E) + ")");
}

std::vector<int32_t> TraceReader::readTokenIds(int64_t row0, int64_t nrows) const {
    std::vector<int32_t> out;
    impl_->readRows(impl_->token_ids, H5T_NATIVE_INT32, fmt::kTokenIds, row0, nrows, impl_->T, out);
    return out;
}

std::vector<std::string> TraceReader::readTokenPieces(int64_t row0, int64_t nrows) const {
    if (!impl_->token_piece.valid()) return std::vector<std::string>(static_cast<size_t>(nrows));
    if (row0 < 0 || nrows < 0 || row0 + nrows > impl_->T) throw std::out_of_range("token rows");
    return impl_->readStrings(fmt::kTokenPiece, row0, nrows);
}

std::string TraceReader::readPrompt(int64_t sample) const {
    if (!impl_->prompt.valid()) return {};
    if (sample < 0 || sample >= impl_->S) throw std::out_of_range("sample index");
    return impl_->readStrings(fmt::kPrompt, sample, 1).at(0);
}

SampleRecord TraceReader::readSample(int64_t s) const {
    const Impl& d = *impl_;
    if (s < 0 || s >= d.S) throw std::out_of_range("sample index");
    SampleRecord r;
    r.id = d.ids[s];
    r.subject = d.subjects[s];
    r.domain = d.domains[s];
    r.cognitive = d.cognitive[s];
    r.difficulty = d.difficulty[s];
    const int64_t row0 = d.offsets[s], n = d.offsets[s + 1] - d.offsets[s];
    r.token_ids = readTokenIds(row0, n);
    readTopk(row0, n, r.topk_experts, r.topk_weights);
    if (d.probs.valid()) readProbs(row0, n, r.probs);
    if (d.last_probs.valid()) readLastProbs(s, 1, r.last_probs);
    if (d.token_piece.valid()) r.token_pieces = readTokenPieces(row0, n);
    if (d.prompt.valid()) r.prompt = readPrompt(s);
    auto readOne = [&](const char* name, hid_t type, auto& out) {
        if (!h5::exists(d.file, name)) return false;
        Handle ds(H5Dopen2(d.file, name, H5P_DEFAULT));
        const auto shape = h5::shapeOf(ds);
        if (shape.empty() || static_cast<int64_t>(shape[0]) < d.S) return false;
        d.readRows(ds, type, name, s, 1, d.S, out);
        return true;
    };
    std::vector<int32_t> one;
    if (readOne(fmt::kAnswer, H5T_NATIVE_INT32, one)) r.answer = one.at(0);
    if (readOne(fmt::kPredicted, H5T_NATIVE_INT32, one)) r.predicted = one.at(0);
    std::vector<float> logits;
    if (readOne(fmt::kLetterLogits, H5T_NATIVE_FLOAT, logits) && logits.size() == 4 &&
        !std::isnan(logits[0]))
        r.letter_logits = logits;
    if (!r.last_probs.empty() && std::isnan(r.last_probs[0])) r.last_probs.clear();
    return r;
}

}  // namespace ca
