// A Hugging Face model directory: config.json plus safetensors weights, either one
// model.safetensors or shards listed by model.safetensors.index.json.
//
// Opening maps every weight file (nothing is copied), parses the config, and by default
// checks up front that every tensor the family needs (expectedTensors) is present with the
// right shape and a floating dtype, so that a bad checkpoint fails before any compute with a
// one-line ca::InputError naming the tensor and the file.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/capture/checkpoint/expected_tensors.h"
#include "core/capture/checkpoint/model_config.h"
#include "core/capture/checkpoint/safetensors.h"

namespace ca::capture {

inline constexpr std::string_view kSingleWeightsFile = "model.safetensors";
inline constexpr std::string_view kWeightsIndexFile = "model.safetensors.index.json";

// True for a shard name that stays inside the model directory: not empty, not "." or
// "..", no '/' or '\\', no NUL. Symbolic links are allowed (the Hugging Face cache links
// every snapshot file into its blobs/ folder).
bool isPlainFileName(std::string_view name);

class Checkpoint {
public:
    struct Options {
        bool validate_tensors = true;  // run requireTensors(expectedTensors(config)) on open
    };

    // Throws ca::InputError(file, problem) for a missing directory or config.json, an
    // unsupported config, a malformed index or safetensors file, or (with
    // validate_tensors) a missing, misshaped or non-floating tensor.
    static Checkpoint open(const std::string& directory, Options options);
    static Checkpoint open(const std::string& directory) { return open(directory, Options{}); }

    const std::string& directory() const { return directory_; }
    const ModelConfig& config() const { return config_; }
    bool sharded() const { return sharded_; }
    // The mapped weight files, in the order their names sort.
    const std::vector<SafetensorsFile>& files() const { return files_; }

    std::vector<std::string> tensorNames() const;  // sorted
    bool contains(std::string_view name) const;
    // The file a tensor lives in; InputError when absent.
    const std::string& fileOf(std::string_view name) const;
    // InputError(weights file or index, "no tensor 'name'") when absent.
    const TensorView& tensor(std::string_view name) const;
    // As above, and InputError(file, "tensor 'name' has shape [..], expected [..]") when the
    // shape differs.
    const TensorView& tensor(std::string_view name, std::span<const int64_t> shape) const;
    const TensorView& tensor(std::string_view name, std::initializer_list<int64_t> shape) const {
        return tensor(name, std::span<const int64_t>(shape.begin(), shape.size()));
    }
    // Every listed tensor present with its shape and a dtype of F32, F16 or BF16.
    void requireTensors(const std::vector<ExpectedTensor>& expected) const;

    // Sum of the byte sizes of all tensors (what total_size in an index should say).
    uint64_t totalTensorBytes() const;

private:
    Checkpoint() = default;

    struct Entry {
        const TensorView* view;
        std::size_t file;
    };

    std::string directory_;
    std::string weights_listing_;  // model.safetensors or the index: named for a missing tensor
    bool sharded_ = false;
    ModelConfig config_;
    std::vector<SafetensorsFile> files_;
    std::map<std::string, Entry, std::less<>> tensors_;
};

}  // namespace ca::capture
