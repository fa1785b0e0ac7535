// What a tokenizer.json post-processor adds to a single sequence when special tokens are
// requested. TemplateProcessing ("single": [SpecialToken..., Sequence A, ...]), Roberta/Bert
// processing (cls $A sep) and Sequence (each applied to the previous result) all reduce to a
// list of templates; ByteLevel adds nothing (it only trims offsets, which we do not report).
#pragma once

#include <cstdint>
#include <vector>

namespace ca::tok {

struct TemplateItem {
    bool isSequence = false;   // the text's own ids ($A)
    std::vector<int32_t> ids;  // special token ids otherwise
};

class PostProcessor {
public:
    void addTemplate(std::vector<TemplateItem> items) { templates_.push_back(std::move(items)); }
    void clear() { templates_.clear(); }
    bool addsNothing() const { return templates_.empty(); }

    // Applies every template in order to `ids`.
    std::vector<int32_t> apply(std::vector<int32_t> ids) const {
        for (const auto& items : templates_) {
            std::vector<int32_t> next;
            next.reserve(ids.size() + 4);
            for (const TemplateItem& item : items) {
                if (item.isSequence)
                    next.insert(next.end(), ids.begin(), ids.end());
                else
                    next.insert(next.end(), item.ids.begin(), item.ids.end());
            }
            ids = std::move(next);
        }
        return ids;
    }

private:
    std::vector<std::vector<TemplateItem>> templates_;
};

}  // namespace ca::tok
