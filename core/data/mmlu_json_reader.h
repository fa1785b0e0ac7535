// The authors' MMLU.json layout (router_lens.py reads it; the file itself is not released):
//
//   { "<group>": { "<key>": { "text": "...", "choices": ["...", ...], "subject": "...",
//                             "id": ..., "domain": "...", "cognitive": ..., "difficulty": ... },
//                  ... },
//     ... }
//
// Items come in file order (groups, then keys, as written: router_lens.py iterates the dict in
// that order). Required: text, choices (strings), subject. Optional: id (string or integer;
// default "<group>/<key>"), domain, answer (index or letter; not in the authors' file).
// cognitive and difficulty (strings or numbers) are kept as further labels: an audit can group
// the samples by them instead of by domain (--group-by).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/data/dataset.h"

namespace ca::data {

std::vector<Item> readMmluJson(const std::string& path);
// `source` names the text in errors.
std::vector<Item> parseMmluJson(std::string_view json_text, const std::string& source);

}  // namespace ca::data
