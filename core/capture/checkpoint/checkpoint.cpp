#include "core/capture/checkpoint/checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <ranges>

#include "core/capture/checkpoint/json_strict.h"
#include "core/util/input_error.h"

namespace ca::capture {

namespace {

namespace fs = std::filesystem;

bool isFile(const fs::path& path) {
    std::error_code error;
    return fs::is_regular_file(path, error);  // follows symbolic links
}

bool existsAtAll(const fs::path& path) {
    std::error_code error;
    return fs::exists(path, error);
}

// Why a directory without safetensors weights cannot be used, with a hint when it holds
// weights in another format.
std::string noWeightsProblem(const fs::path& dir) {
    std::string problem = "holds neither " + std::string(kSingleWeightsFile) + " nor " +
                          std::string(kWeightsIndexFile);
    for (const char* other : {"pytorch_model.bin", "pytorch_model.bin.index.json"}) {
        if (existsAtAll(dir / other)) {
            return problem + " (found " + other +
                   "; only safetensors weights are read: convert the checkpoint to safetensors)";
        }
    }
    return problem;
}

// weight_map of model.safetensors.index.json, grouped by shard file name.
std::map<std::string, std::vector<std::string>> readWeightMap(const std::string& indexPath) {
    const std::string what(kWeightsIndexFile);
    const nlohmann::json index = parseJsonStrict(readTextFile(indexPath, what), indexPath, what);
    if (!index.is_object()) throw InputError(indexPath, what + " is not a JSON object");
    const auto weightMap = index.find("weight_map");
    if (weightMap == index.end()) throw InputError(indexPath, "field 'weight_map' is missing");
    if (!weightMap->is_object()) throw InputError(indexPath, "field 'weight_map' is not an object");
    if (weightMap->empty()) throw InputError(indexPath, "field 'weight_map' lists no tensors");
    // "metadata" (total_size, ...) is informational; tools disagree on what total_size counts.
    std::map<std::string, std::vector<std::string>> byShard;
    for (const auto& [tensor, shard] : weightMap->items()) {
        if (!shard.is_string()) {
            throw InputError(indexPath, "weight_map entry for tensor " + quotedName(tensor) +
                                            " is not a file name string");
        }
        const auto& shardName = shard.get_ref<const std::string&>();
        if (!isPlainFileName(shardName)) {
            throw InputError(indexPath, "weight_map entry for tensor " + quotedName(tensor) +
                                            " names shard " + quotedName(shardName) +
                                            ", which is not a plain file name inside the model "
                                            "directory");
        }
        byShard[shardName].push_back(tensor);
    }
    return byShard;
}

}  // namespace

bool isPlainFileName(std::string_view name) {
    if (name.empty() || name == "." || name == "..") return false;
    return name.find_first_of(std::string_view("/\\\0", 3)) == std::string_view::npos;
}

Checkpoint Checkpoint::open(const std::string& directory, Options options) {
    const fs::path dir(directory);
    std::error_code error;
    if (!fs::exists(dir, error)) throw InputError(directory, "model directory does not exist");
    if (!fs::is_directory(dir, error)) throw InputError(directory, "is not a directory");

    Checkpoint checkpoint;
    checkpoint.directory_ = directory;
    checkpoint.config_ = loadModelConfig((dir / "config.json").string());

    const fs::path single = dir / kSingleWeightsFile;
    const fs::path index = dir / kWeightsIndexFile;
    // transformers prefers model.safetensors when both exist; so do we.
    if (isFile(single)) {
        checkpoint.weights_listing_ = single.string();
        checkpoint.files_.push_back(SafetensorsFile::open(single.string()));
        for (const TensorView& view : checkpoint.files_.back().tensors()) {
            checkpoint.tensors_.emplace(view.name, Entry{&view, 0});
        }
    } else if (isFile(index)) {
        checkpoint.sharded_ = true;
        checkpoint.weights_listing_ = index.string();
        for (const auto& [shardName, tensorNames] : readWeightMap(index.string())) {
            const fs::path shardPath = dir / shardName;
            if (!isFile(shardPath)) {
                throw InputError(
                    shardPath.string(),
                    existsAtAll(shardPath)
                        ? "shard listed in " + std::string(kWeightsIndexFile) +
                              " is not a regular file"
                        : "shard listed in " + std::string(kWeightsIndexFile) + " does not exist");
            }
            checkpoint.files_.push_back(SafetensorsFile::open(shardPath.string()));
            const std::size_t fileIndex = checkpoint.files_.size() - 1;
            const SafetensorsFile& shard = checkpoint.files_.back();
            for (const std::string& name : tensorNames) {
                const TensorView* view = shard.find(name);
                if (!view) {
                    throw InputError(shard.path(), "has no tensor " + quotedName(name) +
                                                       ", which " + std::string(kWeightsIndexFile) +
                                                       " maps to this shard");
                }
                checkpoint.tensors_.emplace(name, Entry{view, fileIndex});
            }
        }
    } else {
        throw InputError(directory, noWeightsProblem(dir));
    }

    if (options.validate_tensors) checkpoint.requireTensors(expectedTensors(checkpoint.config_));
    return checkpoint;
}

std::vector<std::string> Checkpoint::tensorNames() const {
    std::vector<std::string> names;
    names.reserve(tensors_.size());
    for (const auto& entry : tensors_) names.push_back(entry.first);
    return names;
}

bool Checkpoint::contains(std::string_view name) const {
    return tensors_.find(name) != tensors_.end();
}

const std::string& Checkpoint::fileOf(std::string_view name) const {
    const auto it = tensors_.find(name);
    if (it == tensors_.end()) throw InputError(weights_listing_, "no tensor " + quotedName(name));
    return files_[it->second.file].path();
}

const TensorView& Checkpoint::tensor(std::string_view name) const {
    const auto it = tensors_.find(name);
    if (it == tensors_.end()) {
        throw InputError(weights_listing_,
                         "no tensor " + quotedName(name) + (sharded_ ? " in weight_map" : ""));
    }
    return *it->second.view;
}

const TensorView& Checkpoint::tensor(std::string_view name, std::span<const int64_t> shape) const {
    const TensorView& view = tensor(name);
    if (!std::ranges::equal(view.shape, shape)) {
        throw InputError(fileOf(name), "tensor " + quotedName(name) + " has shape " +
                                           shapeToString(view.shape) + ", expected " +
                                           shapeToString(shape));
    }
    return view;
}

void Checkpoint::requireTensors(const std::vector<ExpectedTensor>& expected) const {
    for (const ExpectedTensor& want : expected) {
        const TensorView& view = tensor(want.name, want.shape);
        if (!isFloatingWeightType(view.dtype)) {
            throw InputError(fileOf(want.name), "tensor " + quotedName(want.name) + " has dtype " +
                                                    std::string(dtypeName(view.dtype)) +
                                                    "; weights must be F32, F16 or BF16");
        }
    }
}

uint64_t Checkpoint::totalTensorBytes() const {
    uint64_t total = 0;
    for (const auto& entry : tensors_) total += entry.second.view->bytes;
    return total;
}

}  // namespace ca::capture
