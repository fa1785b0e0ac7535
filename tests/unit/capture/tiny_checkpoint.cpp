#include "tests/unit/capture/tiny_checkpoint.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <unistd.h>

#include "core/capture/checkpoint/expected_tensors.h"
#include "core/capture/checkpoint/float_convert.h"
#include "core/capture/checkpoint/random_checkpoint.h"
#include "core/capture/checkpoint/safetensors_writer.h"

namespace ca::test {

namespace fs = std::filesystem;
using namespace ca::capture;

const TinyTensor& TinyModel::at(const std::string& name) const {
    auto it = tensors.find(name);
    if (it == tensors.end()) throw std::runtime_error("tiny model has no tensor " + name);
    return it->second;
}

nlohmann::json tinyConfig(ModelFamily family) {
    nlohmann::json c = tinyModelConfig(family);
    if (family == ModelFamily::Qwen3Moe) {
        c["num_hidden_layers"] = 3;
        c["max_window_layers"] = 3;
        c["mlp_only_layers"] = {1};
    } else if (family == ModelFamily::DeepseekV2) {
        c["routed_scaling_factor"] = 1.5;
    }
    return c;
}

TinyModel writeTiny(const std::string& dir, const nlohmann::json& config, DType dtype,
                    int shards, uint64_t seed) {
    RandomCheckpointOptions options;
    options.dtype = dtype;
    options.shards = shards;
    options.seed = seed;
    const ModelConfig parsed = writeRandomCheckpoint(dir, config, options);
    TinyModel model;
    model.config = config;
    for (const ExpectedTensor& t : expectedTensors(parsed)) {
        TinyTensor tensor{t.shape, randomTensorValues(t.name, t.shape, seed)};
        for (float& v : tensor.values) {
            if (dtype == DType::BF16) v = bf16ToFloat(floatToBf16(v));
            if (dtype == DType::F16) v = f16ToFloat(floatToF16(v));
        }
        model.tensors[t.name] = std::move(tensor);
    }
    return model;
}

void writeCustom(const TinyModel& model, const std::string& dir) {
    fs::create_directories(dir);
    std::ofstream(fs::path(dir) / "config.json") << model.config.dump(2);
    SafetensorsWriter writer;
    for (const auto& [name, t] : model.tensors) writer.addFloats(name, DType::F32, t.shape, t.values);
    writer.write((fs::path(dir) / "model.safetensors").string());
}

namespace {

// This process's scratch folder, removed when the test program exits.
struct ScratchRoot {
    fs::path path = fs::temp_directory_path() / ("ca_capture_tests_" + std::to_string(::getpid()));
    ~ScratchRoot() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

}  // namespace

std::string freshDir(const std::string& name) {
    static ScratchRoot root;
    const fs::path dir = root.path / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir.string();
}

}  // namespace ca::test
