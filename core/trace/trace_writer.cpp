#include "core/trace/trace_writer.h"

#include "core/trace/hdf5_handle.h"
#include "core/trace/trace_format.h"
#include "core/trace/trace_reader.h"
#include "core/util/input_error.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace ca {

namespace fmt = trace_format;
using h5::Handle;

namespace {

// An extensible dataset: axis 0 grows, the other axes are fixed.
struct Column {
    Handle ds;
    hid_t mem_type = H5I_INVALID_HID;  // native type of the in-memory buffers
    size_t row_elems = 1;              // elements per row (product of the fixed axes)
    hsize_t rows = 0;                  // current length of axis 0
    bool is_string = false;

    bool open() const { return ds.valid(); }
};

constexpr size_t kTargetChunkBytes = 1 << 20;

Handle ensureGroup(hid_t file, const char* name) {
    if (H5Lexists(file, name, H5P_DEFAULT) > 0) return Handle(H5Gopen2(file, name, H5P_DEFAULT));
    return Handle(H5Gcreate2(file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
}

Column createColumn(hid_t file, const std::string& path, hid_t file_type, hid_t mem_type,
                    std::vector<hsize_t> row_shape, const TraceLayout& layout, bool compress,
                    bool is_string = false) {
    std::vector<hsize_t> dims{0}, maxdims{H5S_UNLIMITED}, chunk{1};
    size_t row_elems = 1;
    for (hsize_t d : row_shape) {
        dims.push_back(d);
        maxdims.push_back(d);
        chunk.push_back(std::max<hsize_t>(d, 1));
        row_elems *= d;
    }
    const size_t elem_bytes = is_string ? sizeof(char*) : H5Tget_size(file_type);
    const size_t row_bytes = std::max<size_t>(1, row_elems * elem_bytes);
    chunk[0] = static_cast<hsize_t>(std::clamp<int64_t>(
        static_cast<int64_t>(kTargetChunkBytes / row_bytes), 1, std::max<int64_t>(1, layout.chunk_rows)));
    Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxdims.data()));
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
    H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
    if (compress && !is_string && layout.compression > 0) {
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, static_cast<unsigned>(std::min(layout.compression, 9)));
    }
    Column c;
    c.ds = Handle(H5Dcreate2(file, path.c_str(), file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    c.mem_type = mem_type;
    c.row_elems = row_elems;
    c.is_string = is_string;
    return c;
}

Column openColumn(hid_t file, const std::string& path, hid_t mem_type, bool is_string = false) {
    Column c;
    if (H5Lexists(file, path.substr(0, path.rfind('/')).c_str(), H5P_DEFAULT) <= 0 ||
        H5Lexists(file, path.c_str(), H5P_DEFAULT) <= 0)
        return c;
    c.ds = Handle(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
    c.mem_type = mem_type;
    c.is_string = is_string;
    const auto shape = h5::shapeOf(c.ds);
    c.rows = shape.empty() ? 0 : shape[0];
    for (size_t i = 1; i < shape.size(); ++i) c.row_elems *= shape[i];
    return c;
}

}  // namespace

struct TraceWriter::Impl {
    std::string path;
    ModelInfo model;
    TraceLayout layout;
    Handle file;
    Handle samples_group;
    Handle string_type = h5::utf8StringType();

    Column token_offset, sample_id, sample_subject, sample_domain, sample_cognitive,
        sample_difficulty, prompt, answer, predicted,
        letter_logits, last_probs, last_topk_experts, last_topk_weights, token_ids, token_piece,
        topk_experts, topk_weights, probs;

    int64_t complete_samples = 0;
    int64_t total_tokens = 0;

    std::vector<SampleRecord> pending;
    int64_t pending_tokens = 0;
    std::chrono::steady_clock::time_point last_flush = std::chrono::steady_clock::now();

    [[noreturn]] void fail(const std::string& problem) const { throw InputError(path, problem); }

    void appendRows(Column& c, hsize_t n, const void* data) {
        if (!c.open() || n == 0) return;
        const auto shape = h5::shapeOf(c.ds);
        std::vector<hsize_t> new_dims = shape;
        new_dims[0] = c.rows + n;
        if (H5Dset_extent(c.ds, new_dims.data()) < 0) fail("cannot extend a dataset (disk full?)");
        Handle fspace(H5Dget_space(c.ds));
        std::vector<hsize_t> start(shape.size(), 0), count = new_dims;
        start[0] = c.rows;
        count[0] = n;
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
        Handle mspace(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr));
        if (H5Dwrite(c.ds, c.mem_type, mspace, fspace, H5P_DEFAULT, data) < 0)
            fail("cannot write a dataset (disk full?)");
        c.rows += n;
    }

    void appendStrings(Column& c, const std::vector<const std::string*>& values) {
        std::vector<const char*> ptrs;
        ptrs.reserve(values.size());
        for (const std::string* s : values) ptrs.push_back(s->c_str());
        appendRows(c, ptrs.size(), ptrs.data());
    }

    void checkShapes(const SampleRecord& s) const {
        const int64_t n = s.numPositions();
        const int64_t L = model.numLayers(), k = model.top_k, E = model.num_routed_experts;
        auto expect = [&](size_t got, int64_t want, const char* what) {
            if (static_cast<int64_t>(got) != want)
                fail(std::string("sample '") + s.id + "': " + what + " has " + std::to_string(got) +
                     " values, expected " + std::to_string(want));
        };
        if (n <= 0) fail("sample '" + s.id + "' has no token positions");
        expect(s.topk_experts.size(), n * L * k, "topk_experts");
        expect(s.topk_weights.size(), n * L * k, "topk_weights");
        if (layout.store_probs) expect(s.probs.size(), n * L * E, "probs");
        if (!s.last_probs.empty()) expect(s.last_probs.size(), L * E, "last_probs");
        if (!s.token_pieces.empty()) expect(s.token_pieces.size(), n, "token_pieces");
        if (!s.letter_logits.empty()) expect(s.letter_logits.size(), 4, "letter_logits");
        for (int32_t e : s.topk_experts)
            if (e < 0 || e >= E)
                fail("sample '" + s.id + "': expert id " + std::to_string(e) + " outside [0, " +
                     std::to_string(E) + ")");
    }

    void flushPending() {
        if (pending.empty()) return;
        const size_t ns = pending.size();
        std::vector<int64_t> offsets;
        std::vector<const std::string*> ids, subjects, domains, cognitive, difficulty, prompts,
            pieces;
        std::vector<int32_t> answers, preds, tok;
        std::vector<float> logits, lastp;
        std::vector<int32_t> experts, last_experts;
        std::vector<float> weights, probs_buf, last_weights;
        const size_t LE = static_cast<size_t>(model.numLayers()) * model.num_routed_experts;
        const size_t Lk = static_cast<size_t>(model.numLayers()) * model.top_k;
        // Older files resumed by openForAppend() may lack the last-token top-k; they stay without.
        const bool write_last_topk = last_topk_experts.open() && last_topk_weights.open();
        static const std::string empty;
        int64_t t = total_tokens;
        for (const SampleRecord& s : pending) {
            t += s.numPositions();
            offsets.push_back(t);
            ids.push_back(&s.id);
            subjects.push_back(&s.subject);
            domains.push_back(&s.domain);
            cognitive.push_back(&s.cognitive);
            difficulty.push_back(&s.difficulty);
            prompts.push_back(&s.prompt);
            answers.push_back(s.answer);
            preds.push_back(s.predicted);
            if (s.letter_logits.empty())
                logits.insert(logits.end(), 4, std::numeric_limits<float>::quiet_NaN());
            else
                logits.insert(logits.end(), s.letter_logits.begin(), s.letter_logits.end());
            if (last_probs.open()) {
                if (s.last_probs.empty())
                    lastp.insert(lastp.end(), LE, std::numeric_limits<float>::quiet_NaN());
                else
                    lastp.insert(lastp.end(), s.last_probs.begin(), s.last_probs.end());
            }
            if (write_last_topk) {
                // The last /routing row of the sample (checkShapes guarantees n * L * k values).
                const size_t last_row = s.topk_experts.size() - Lk;
                last_experts.insert(last_experts.end(), s.topk_experts.begin() + last_row, s.topk_experts.end());
                last_weights.insert(last_weights.end(), s.topk_weights.begin() + last_row, s.topk_weights.end());
            }
            tok.insert(tok.end(), s.token_ids.begin(), s.token_ids.end());
            if (token_piece.open())
                for (int64_t p = 0; p < s.numPositions(); ++p)
                    pieces.push_back(s.token_pieces.empty() ? &empty : &s.token_pieces[p]);
            experts.insert(experts.end(), s.topk_experts.begin(), s.topk_experts.end());
            weights.insert(weights.end(), s.topk_weights.begin(), s.topk_weights.end());
            if (probs.open()) probs_buf.insert(probs_buf.end(), s.probs.begin(), s.probs.end());
        }
        const hsize_t nt = tok.size();
        // Token rows first, then per-sample rows, then the offsets and the
        // complete-sample count: a cut anywhere leaves the old count valid.
        appendRows(token_ids, nt, tok.data());
        if (token_piece.open()) appendStrings(token_piece, pieces);
        appendRows(topk_experts, nt, experts.data());
        appendRows(topk_weights, nt, weights.data());
        if (probs.open()) appendRows(probs, nt, probs_buf.data());
        appendStrings(sample_id, ids);
        appendStrings(sample_subject, subjects);
        appendStrings(sample_domain, domains);
        // Files resumed from before these labels existed stay without them.
        if (sample_cognitive.open()) appendStrings(sample_cognitive, cognitive);
        if (sample_difficulty.open()) appendStrings(sample_difficulty, difficulty);
        if (prompt.open()) appendStrings(prompt, prompts);
        appendRows(answer, ns, answers.data());
        appendRows(predicted, ns, preds.data());
        appendRows(letter_logits, ns, logits.data());
        if (last_probs.open()) appendRows(last_probs, ns, lastp.data());
        if (write_last_topk) {
            appendRows(last_topk_experts, ns, last_experts.data());
            appendRows(last_topk_weights, ns, last_weights.data());
        }
        appendRows(token_offset, ns, offsets.data());
        H5Fflush(file, H5F_SCOPE_GLOBAL);
        complete_samples += static_cast<int64_t>(ns);
        total_tokens = t;
        h5::writeIntAttr(samples_group, fmt::kCompleteSamples, complete_samples);
        H5Fflush(file, H5F_SCOPE_GLOBAL);
        pending.clear();
        pending_tokens = 0;
        last_flush = std::chrono::steady_clock::now();
    }

    void openColumns(bool create) {
        const int L = model.numLayers(), k = model.top_k, E = model.num_routed_experts;
        const hsize_t uL = L, uk = k, uE = E;
        if (create) {
            ensureGroup(file, "/samples");
            ensureGroup(file, "/tokens");
            ensureGroup(file, "/routing");
            const hid_t expert_type = E <= 32767 ? H5T_STD_I16LE : H5T_STD_I32LE;
            token_offset = createColumn(file, fmt::kTokenOffset, H5T_STD_I64LE, H5T_NATIVE_INT64, {}, layout, true);
            sample_id = createColumn(file, fmt::kSampleId, string_type, string_type, {}, layout, false, true);
            sample_subject = createColumn(file, fmt::kSampleSubject, string_type, string_type, {}, layout, false, true);
            sample_domain = createColumn(file, fmt::kSampleDomain, string_type, string_type, {}, layout, false, true);
            sample_cognitive = createColumn(file, fmt::kSampleCognitive, string_type, string_type, {}, layout, false, true);
            sample_difficulty = createColumn(file, fmt::kSampleDifficulty, string_type, string_type, {}, layout, false, true);
            answer = createColumn(file, fmt::kAnswer, H5T_STD_I32LE, H5T_NATIVE_INT32, {}, layout, true);
            predicted = createColumn(file, fmt::kPredicted, H5T_STD_I32LE, H5T_NATIVE_INT32, {}, layout, true);
            letter_logits = createColumn(file, fmt::kLetterLogits, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {4}, layout, false);
            token_ids = createColumn(file, fmt::kTokenIds, H5T_STD_I32LE, H5T_NATIVE_INT32, {}, layout, true);
            topk_experts = createColumn(file, fmt::kTopkExperts, expert_type, H5T_NATIVE_INT32, {uL, uk}, layout, true);
            topk_weights = createColumn(file, fmt::kTopkWeights, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {uL, uk}, layout, false);
            if (layout.store_probs)
                probs = createColumn(file, fmt::kProbs, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {uL, uE}, layout, false);
            if (layout.store_last_probs)
                last_probs = createColumn(file, fmt::kLastProbs, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {uL, uE}, layout, false);
            // Same element types as /routing/topk_*, but never compressed: they exist to make
            // last-token loads fast, and inflating them cost more than reading them raw
            // (S rows only, so the file grows little). Older files have them deflated.
            last_topk_experts = createColumn(file, fmt::kLastTopkExperts, expert_type, H5T_NATIVE_INT32, {uL, uk}, layout, false);
            last_topk_weights = createColumn(file, fmt::kLastTopkWeights, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {uL, uk}, layout, false);
            if (layout.store_text) {
                prompt = createColumn(file, fmt::kPrompt, string_type, string_type, {}, layout, false, true);
                token_piece = createColumn(file, fmt::kTokenPiece, string_type, string_type, {}, layout, false, true);
            }
            const int64_t zero = 0;
            appendRows(token_offset, 1, &zero);
        } else {
            token_offset = openColumn(file, fmt::kTokenOffset, H5T_NATIVE_INT64);
            sample_id = openColumn(file, fmt::kSampleId, string_type, true);
            sample_subject = openColumn(file, fmt::kSampleSubject, string_type, true);
            sample_domain = openColumn(file, fmt::kSampleDomain, string_type, true);
            sample_cognitive = openColumn(file, fmt::kSampleCognitive, string_type, true);
            sample_difficulty = openColumn(file, fmt::kSampleDifficulty, string_type, true);
            answer = openColumn(file, fmt::kAnswer, H5T_NATIVE_INT32);
            predicted = openColumn(file, fmt::kPredicted, H5T_NATIVE_INT32);
            letter_logits = openColumn(file, fmt::kLetterLogits, H5T_NATIVE_FLOAT);
            token_ids = openColumn(file, fmt::kTokenIds, H5T_NATIVE_INT32);
            topk_experts = openColumn(file, fmt::kTopkExperts, H5T_NATIVE_INT32);
            topk_weights = openColumn(file, fmt::kTopkWeights, H5T_NATIVE_FLOAT);
            probs = openColumn(file, fmt::kProbs, H5T_NATIVE_FLOAT);
            last_probs = openColumn(file, fmt::kLastProbs, H5T_NATIVE_FLOAT);
            last_topk_experts = openColumn(file, fmt::kLastTopkExperts, H5T_NATIVE_INT32);
            last_topk_weights = openColumn(file, fmt::kLastTopkWeights, H5T_NATIVE_FLOAT);
            prompt = openColumn(file, fmt::kPrompt, string_type, true);
            token_piece = openColumn(file, fmt::kTokenPiece, string_type, true);
            layout.store_probs = probs.open();
            layout.store_last_probs = last_probs.open();
            layout.store_text = prompt.open() && token_piece.open();
            if (!answer.open() || !predicted.open() || !letter_logits.open())
                fail("cannot resume: the trace lacks /samples/answer, /samples/predicted or "
                     "/samples/letter_logits (was it written by another tool?)");
        }
    }

    // Cuts every dataset back to `complete_samples` (resume after an interruption).
    void trimToComplete(const std::vector<int64_t>& offsets) {
        const hsize_t S = static_cast<hsize_t>(complete_samples);
        const hsize_t T = static_cast<hsize_t>(offsets.at(S));
        auto trim = [](Column& c, hsize_t rows) {
            if (!c.open() || c.rows == rows) return;
            auto dims = h5::shapeOf(c.ds);
            dims[0] = rows;
            H5Dset_extent(c.ds, dims.data());
            c.rows = rows;
        };
        for (Column* c : {&sample_id, &sample_subject, &sample_domain, &sample_cognitive,
                          &sample_difficulty, &prompt, &answer, &predicted,
                          &letter_logits, &last_probs, &last_topk_experts, &last_topk_weights})
            trim(*c, S);
        trim(token_offset, S + 1);
        for (Column* c : {&token_ids, &token_piece, &topk_experts, &topk_weights, &probs}) trim(*c, T);
        total_tokens = static_cast<int64_t>(T);
    }
};

TraceWriter::TraceWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TraceWriter::TraceWriter(TraceWriter&&) noexcept = default;
TraceWriter& TraceWriter::operator=(TraceWriter&&) noexcept = default;
TraceWriter::~TraceWriter() {
    try {
        close();
    } catch (...) {
        // Destructors must not throw; close() explicitly to see errors.
    }
}

TraceWriter TraceWriter::create(const std::string& path, const ModelInfo& model,
                                const TraceLayout& layout) {
    h5::silenceErrorStack();
    if (model.numLayers() <= 0 || model.top_k <= 0 || model.num_routed_experts <= 0 ||
        model.top_k > model.num_routed_experts)
        throw InputError(path, "invalid model shape (layers, top_k, experts) for a trace");
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->model = model;
    impl->layout = layout;
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
    // Superblock v2 at most: v3 marks files "open for writing" and refuses to
    // reopen one left by a killed capture, which would defeat --resume.
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18);
    impl->file = Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl));
    if (!impl->file.valid()) throw InputError(path, "cannot create the trace file");
    h5::writeStringAttr(impl->file, "format", fmt::kFormat);
    h5::writeIntAttr(impl->file, "format_version", fmt::kVersion);
    {
        Handle g(H5Gcreate2(impl->file, "/model", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        h5::writeStringAttr(g, "name", model.name);
        h5::writeStringAttr(g, "architecture", model.architecture);
        h5::writeIntAttr(g, "num_routed_experts", model.num_routed_experts);
        h5::writeIntAttr(g, "top_k", model.top_k);
        h5::writeIntAttr(g, "num_shared_experts", model.num_shared_experts);
        h5::writeIntArrayAttr(g, "moe_layers",
                              std::vector<int64_t>(model.moe_layers.begin(), model.moe_layers.end()));
    }
    impl->openColumns(true);
    impl->samples_group = Handle(H5Gopen2(impl->file, "/samples", H5P_DEFAULT));
    h5::writeIntAttr(impl->samples_group, fmt::kCompleteSamples, 0);
    H5Fflush(impl->file, H5F_SCOPE_GLOBAL);
    return TraceWriter(std::move(impl));
}

TraceWriter TraceWriter::openForAppend(const std::string& path) {
    h5::silenceErrorStack();
    std::vector<int64_t> offsets;
    ModelInfo model;
    int64_t complete = 0;
    {
        TraceReader reader(path);  // validates
        offsets = reader.tokenOffsets();
        model = reader.model();
        complete = reader.numSamples();
    }
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->model = model;
    impl->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    if (!impl->file.valid()) throw InputError(path, "cannot open the trace for writing");
    impl->openColumns(false);
    impl->samples_group = Handle(H5Gopen2(impl->file, "/samples", H5P_DEFAULT));
    impl->complete_samples = complete;
    impl->trimToComplete(offsets);
    H5Fflush(impl->file, H5F_SCOPE_GLOBAL);
    return TraceWriter(std::move(impl));
}

void TraceWriter::append(const SampleRecord& sample) {
    Impl& d = *impl_;
    if (!d.file.valid()) throw InputError(d.path, "append after close");
    d.checkShapes(sample);
    if (d.layout.store_probs && sample.probs.empty())
        d.fail("sample '" + sample.id + "' has no full probabilities but the trace stores them");
    d.pending.push_back(sample);
    d.pending_tokens += sample.numPositions();
    const auto since = std::chrono::steady_clock::now() - d.last_flush;
    if (d.pending_tokens >= 16384 || d.pending.size() >= 512 || since > std::chrono::seconds(2))
        d.flushPending();
}

void TraceWriter::flush() { impl_->flushPending(); }

void TraceWriter::setSettingsJson(const std::string& json) {
    h5::writeStringAttr(impl_->file, fmt::kSettingsAttr, json);
}

const ModelInfo& TraceWriter::model() const { return impl_->model; }
const TraceLayout& TraceWriter::layout() const { return impl_->layout; }
int64_t TraceWriter::numSamples() const {
    return impl_->complete_samples + static_cast<int64_t>(impl_->pending.size());
}
int64_t TraceWriter::numTokens() const { return impl_->total_tokens + impl_->pending_tokens; }

void TraceWriter::close() {
    if (!impl_ || !impl_->file.valid()) return;
    impl_->flushPending();
    impl_->file.reset();
}

}  // namespace ca
