#include "resources/large_resources.h"

extern "C" const char ca_olmoe_tokenizer_json_begin[];
extern "C" const char ca_olmoe_tokenizer_json_end[];

namespace ca::resources {

std::string_view olmoeTokenizerJson() {
    return {ca_olmoe_tokenizer_json_begin,
            static_cast<size_t>(ca_olmoe_tokenizer_json_end - ca_olmoe_tokenizer_json_begin)};
}

}  // namespace ca::resources
