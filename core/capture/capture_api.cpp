// Implements capture_api.h on top of the torch-side CaptureEngine.
#include "core/capture/capture_api.h"

#include <filesystem>
#include <thread>

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/types.h>
#include <torch/version.h>

#include "core/capture/capture_engine.h"
#include "core/capture/checkpoint/json_strict.h"
#include "core/capture/models/gemm.h"
#include "core/util/input_error.h"

namespace ca::capture {

bool cudaCompiledIn() { return at::hasCUDA(); }

std::string torchVersion() { return TORCH_VERSION; }

Precision parsePrecision(const std::string& text) {
    if (text == "fp32" || text == "float32") return Precision::Fp32;
    if (text == "bf16" || text == "bfloat16") return Precision::Bf16;
    throw InputError("", "unknown dtype '" + text + "' (use fp32 or bf16)");
}

struct Capture::Impl {
    CaptureOptions options;
    std::string name;
    std::unique_ptr<CaptureEngine> engine;
};

Capture::Capture(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Capture::~Capture() = default;

namespace {

torch::Device parseDevice(const std::string& text) {
    if (text == "cpu") return torch::kCPU;
    if (text == "cuda" || text.rfind("cuda:", 0) == 0) {
        if (!torch::cuda::is_available())
            throw InputError("", "device '" + text +
                                     "' requested, but this build's libtorch has no CUDA support "
                                     "or no GPU is visible");
        try {
            return torch::Device(text);
        } catch (const c10::Error&) {
            throw InputError("", "invalid device '" + text + "'");
        }
    }
    throw InputError("", "unknown device '" + text + "' (use cpu, cuda or cuda:N)");
}

std::string modelName(const std::string& model_dir, const nlohmann::json& config) {
    auto it = config.find("_name_or_path");
    if (it != config.end() && it->is_string() && !it->get<std::string>().empty())
        return it->get<std::string>();
    std::filesystem::path p(model_dir);
    if (p.filename().empty()) p = p.parent_path();
    return p.filename().string();
}

}  // namespace

std::unique_ptr<Capture> Capture::open(const std::string& model_dir,
                                       const CaptureOptions& options) {
    const torch::Device device = parseDevice(options.device);
    const int threads = options.threads > 0
                            ? options.threads
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);

    // Maps the weights, parses config.json and checks every expected tensor's presence, shape
    // and dtype before anything is computed.
    Checkpoint checkpoint = Checkpoint::open(model_dir);
    const ModelConfig config = checkpoint.config();
    const std::string config_path = (std::filesystem::path(model_dir) / "config.json").string();
    const nlohmann::json config_json =
        parseJsonStrict(readTextFile(config_path, "config.json"), config_path, "config.json");

    EngineOptions engine_options;
    engine_options.device = device;
    engine_options.dtype = options.dtype == Precision::Fp32 ? torch::kFloat32 : torch::kBFloat16;
    engine_options.full_probs = options.full_probs;
    engine_options.letter_token_ids = options.letter_token_ids;

    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->options.threads = threads;
    impl->name = modelName(model_dir, config_json);
    auto model =
        buildModel(config, checkpointWeights(std::move(checkpoint)), engine_options.dtype, device);
    impl->engine = std::make_unique<CaptureEngine>(std::move(model), engine_options);
    return std::unique_ptr<Capture>(new Capture(std::move(impl)));
}

ModelInfo Capture::modelInfo() const {
    ModelInfo info = impl_->engine->modelInfo();
    info.name = impl_->name;
    return info;
}

const CaptureOptions& Capture::options() const { return impl_->options; }

int64_t Capture::vocabSize() const { return impl_->engine->model().config.vocab_size; }

NextTokenInfo Capture::run(const std::vector<int32_t>& token_ids, SampleRecord& record) const {
    NextToken next = impl_->engine->run(token_ids, record);
    return NextTokenInfo{next.vocab_argmax, next.letter_argmax};
}

std::vector<NextTokenInfo> Capture::runBatch(const std::vector<std::vector<int32_t>>& sequences,
                                             std::vector<SampleRecord>& records) const {
    std::vector<NextTokenInfo> out;
    for (const NextToken& next : impl_->engine->runBatch(sequences, records))
        out.push_back(NextTokenInfo{next.vocab_argmax, next.letter_argmax});
    return out;
}

bool Capture::batchingIsExact() const {
    const EngineOptions& o = impl_->engine->options();
    return o.device.is_cpu() && gemm::available(o.dtype);
}

std::vector<std::vector<int32_t>> readIdsJson(const std::string& path) {
    const nlohmann::json j = parseJsonStrict(readTextFile(path, "token-id list"), path,
                                             "token-id list");
    if (!j.is_array()) throw InputError(path, "expected a JSON list of token-id lists");
    std::vector<std::vector<int32_t>> sequences;
    for (size_t i = 0; i < j.size(); ++i) {
        const auto& seq = j[i];
        if (!seq.is_array() || seq.empty())
            throw InputError(path, "entry " + std::to_string(i) + " is not a non-empty list");
        std::vector<int32_t>& ids = sequences.emplace_back();
        for (const auto& v : seq) {
            if (!v.is_number_integer() || v.get<int64_t>() < 0 ||
                v.get<int64_t>() > INT32_MAX)
                throw InputError(path, "entry " + std::to_string(i) +
                                           " holds something that is not a token id");
            ids.push_back(static_cast<int32_t>(v.get<int64_t>()));
        }
    }
    return sequences;
}

std::vector<SampleRecord> runIdsJson(const Capture& capture, const std::string& path) {
    std::vector<SampleRecord> records;
    const auto sequences = readIdsJson(path);
    for (size_t i = 0; i < sequences.size(); ++i) {
        SampleRecord& rec = records.emplace_back();
        rec.id = std::to_string(i);
        try {
            capture.run(sequences[i], rec);
        } catch (const InputError& e) {
            throw InputError(path, "entry " + std::to_string(i) + ": " + e.problem());
        }
    }
    return records;
}

}  // namespace ca::capture
