// Writes what tests/interop/hf_reference/hf_reference.py runs through Hugging Face transformers:
// DIR/<model_type>/ (the tiny F32 checkpoint of each family, exactly as the capture tests build
// it) and DIR/sequences.json (the token-id lists).
//
//   write_hf_inputs DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/unit/capture/hf_reference_inputs.h"
#include "tests/unit/capture/tiny_checkpoint.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: write_hf_inputs DIR\n");
        return 2;
    }
    namespace fs = std::filesystem;
    using namespace ca;
    const fs::path dir = argv[1];
    fs::create_directories(dir);
    for (capture::ModelFamily family : test::hfReferenceFamilies()) {
        const fs::path model = dir / std::string(capture::modelTypeName(family));
        fs::remove_all(model);
        test::writeTiny(model.string(), test::tinyConfig(family), capture::DType::F32, 1,
                        test::kHfReferenceSeed);
    }
    std::ofstream(dir / "sequences.json") << nlohmann::json(test::hfReferenceSequences()).dump() << "\n";
    std::printf("wrote the tiny checkpoints and sequences.json to %s\n", dir.string().c_str());
    return 0;
}
