// Implements the libtorch-free facts of capture_api.h.
#include "core/capture/capture_api.h"

#include <torch/torch.h>

namespace ca::capture {

bool cudaCompiledIn() { return torch::cuda::is_available() || TORCH_VERSION_MAJOR < 0; }

std::string torchVersion() { return TORCH_VERSION; }

}  // namespace ca::capture
