// JSONL datasets: one JSON object per line, blank lines ignored. Each record is either
//
//   {"question": "...", "choices": ["...", ...], "subject": "...", "domain": "...",
//    "id": ..., "answer": 2 | "C"}                      a multiple-choice item, or
//   {"text": "...", "subject": "...", "domain": "...", "id": ...}     a free text.
//
// subject and domain are strings; a record needs at least one of them (a taxonomy can derive
// the domain from the subject). id is a string or an integer, by default the 0-based record
// number; answer (optional) is a choice index or letter; cognitive and difficulty (optional,
// strings or numbers) are further labels an audit can group by. Unknown fields are ignored.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/data/dataset.h"

namespace ca::data {

std::vector<Item> readJsonl(const std::string& path);
// `source` names the text in errors, which give the line number.
std::vector<Item> parseJsonl(std::string_view text, const std::string& source);

}  // namespace ca::data
