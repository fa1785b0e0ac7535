// libFuzzer target: arbitrary bytes as tokenizer.json. Loading must either succeed or throw
// ca::InputError; a loaded tokenizer must encode and decode without crashing (sanitizers on).
//
//   tokenizer_json_fuzz -max_len=65536 tests/fuzz/corpus/tokenizer_json
#include "core/capture/tokenizer/tokenizer.h"
#include "core/util/input_error.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    const std::string_view json(reinterpret_cast<const char*>(data), size);
    try {
        const auto tok = ca::tok::Tokenizer::fromJson(json, "fuzz.json");
        static constexpr std::string_view kTexts[] = {"",
                                                      "Hello world",
                                                      "  leading  and   trailing  ",
                                                      "a\n\n\tb\r\nc",
                                                      "12345 67",
                                                      "caf\xC3\xA9 cafe\xCC\x81",
                                                      "\xE6\x88\x91\xE6\x83\xB3 \xF0\x9F\xA6\x99",
                                                      "<s>ab</s>",
                                                      "<|im_start|>x<|endoftext|>",
                                                      "|||IP_ADDRESS|||  "};
        for (std::string_view text : kTexts) {
            for (bool special : {false, true}) {
                const auto ids = tok.encode(text, special);
                for (int32_t id : ids) {
                    (void)tok.decodePiece(id);
                    (void)tok.idToToken(id);
                }
                (void)tok.decode(ids, special);
            }
        }
        for (int32_t id : {-1, 0, 1, 255, tok.idLimit() - 1, tok.idLimit()})
            (void)tok.decodePiece(id);
    } catch (const ca::InputError&) {
        // Rejected with a message: the expected outcome for malformed input.
    }
    return 0;
}
