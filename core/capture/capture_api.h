// The capture engine's interface: plain C++, no libtorch types, so that Qt code
// (ui/, app/) can call it. Everything behind it lives in core/capture/.
#pragma once

#include <string>

namespace ca::capture {

// True when this build's libtorch can run on CUDA.
bool cudaCompiledIn();
// Version string of the libtorch this build links.
std::string torchVersion();

}  // namespace ca::capture
