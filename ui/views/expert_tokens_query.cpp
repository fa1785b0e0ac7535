#include "ui/views/expert_tokens_query.h"

#include "core/trace/trace_reader.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace ca::ui {

ExpertTokenList findExpertTokens(const TraceAnalysis& analysis, int layer, int expert, size_t cap, int top_n) {
    const RoutingObservations& obs = *analysis.obs;
    ExpertTokenList list;
    list.layer = layer;
    list.expert = expert;
    list.observations = obs.size();
    list.domain_names = obs.domain_names;
    list.routed_by_domain.assign(obs.domain_names.size(), 0);
    list.top_by_domain.resize(obs.domain_names.size());
    if (layer < 0 || layer >= obs.num_layers || expert < 0 || expert >= obs.num_experts) return list;

    const auto& layers = analysis.audit.committee.layers;
    if (static_cast<size_t>(layer) < layers.size()) {
        const auto& members = layers[static_cast<size_t>(layer)].members;
        list.member = std::find(members.begin(), members.end(), expert) != members.end();
    }

    const bool have_ids = analysis.token_ids.size() == static_cast<size_t>(obs.size());
    // (domain, token id) -> count and first row, for the top tokens.
    std::vector<std::unordered_map<int32_t, TopToken>> counts(obs.domain_names.size());
    for (int64_t n = 0; n < obs.size(); ++n) {
        const int32_t* experts = obs.experts(n, layer);
        int slot = -1;
        for (int j = 0; j < obs.top_k; ++j)
            if (experts[j] == expert) {
                slot = j;
                break;
            }
        if (slot < 0) continue;
        const int domain = obs.obs_domain[static_cast<size_t>(n)];
        ++list.routed;
        if (domain >= 0 && static_cast<size_t>(domain) < list.routed_by_domain.size()) {
            ++list.routed_by_domain[static_cast<size_t>(domain)];
            if (have_ids) {
                const int32_t id = analysis.token_ids[static_cast<size_t>(n)];
                TopToken& t = counts[static_cast<size_t>(domain)][id];
                if (t.count++ == 0) {
                    t.token = id;
                    t.representative = obs.obs_token[static_cast<size_t>(n)];
                }
            }
        }
        if (list.rows.size() >= cap) continue;
        ExpertTokenRow row;
        row.observation = n;
        row.sample = obs.obs_sample.empty() ? -1 : obs.obs_sample[static_cast<size_t>(n)];
        row.token_row = obs.obs_token.empty() ? -1 : obs.obs_token[static_cast<size_t>(n)];
        row.domain = domain;
        row.rank = slot + 1;
        row.weight = obs.weights(n, layer)[slot];
        row.token_id = have_ids ? analysis.token_ids[static_cast<size_t>(n)] : -1;
        list.rows.push_back(std::move(row));
    }
    for (size_t d = 0; d < counts.size(); ++d) {
        std::vector<TopToken>& top = list.top_by_domain[d];
        for (auto& [id, t] : counts[d]) top.push_back(t);
        std::sort(top.begin(), top.end(), [](const TopToken& a, const TopToken& b) {
            return a.count != b.count ? a.count > b.count : a.token < b.token;
        });
        if (top.size() > static_cast<size_t>(std::max(top_n, 0))) top.resize(static_cast<size_t>(std::max(top_n, 0)));
    }
    return list;
}

namespace {

// Token text of merged row ranges, looked up by absolute row.
class RowTexts {
public:
    void add(int64_t start, std::vector<std::string> texts) { ranges_.emplace(start, std::move(texts)); }
    const std::string* at(int64_t row) const {
        auto it = ranges_.upper_bound(row);
        if (it == ranges_.begin()) return nullptr;
        --it;
        const int64_t offset = row - it->first;
        if (offset < 0 || offset >= static_cast<int64_t>(it->second.size())) return nullptr;
        return &it->second[static_cast<size_t>(offset)];
    }

private:
    std::map<int64_t, std::vector<std::string>> ranges_;
};

std::string idText(int32_t id) { return id < 0 ? std::string("?") : "#" + std::to_string(id); }

}  // namespace

bool readExpertTokenText(ExpertTokenList& list, const TraceReader& reader, std::mutex& hdf5_lock,
                         int context, const std::atomic<bool>* cancel) {
    context = std::max(context, 0);
    std::vector<int64_t> offsets;
    int64_t chunk = 4096;
    {
        std::lock_guard<std::mutex> lock(hdf5_lock);
        list.has_text = reader.hasText();
        chunk = std::max<int64_t>(reader.chunkRows(), 1);
        const auto& ids = reader.sampleIds();
        const auto& subjects = reader.sampleSubjects();
        const auto& all_offsets = reader.tokenOffsets();
        for (ExpertTokenRow& row : list.rows) {
            if (row.sample < 0 || row.sample >= reader.numSamples()) continue;
            row.sample_id = ids[static_cast<size_t>(row.sample)];
            row.subject = subjects[static_cast<size_t>(row.sample)];
        }
        offsets = all_offsets;
    }

    // The row windows to read: each listed token with its context (clipped to its
    // sample), and one row per top token.
    std::vector<std::pair<int64_t, int64_t>> windows;
    for (const ExpertTokenRow& row : list.rows) {
        if (row.token_row < 0 || row.sample < 0 || row.sample + 1 >= static_cast<int64_t>(offsets.size())) continue;
        const int64_t first = offsets[static_cast<size_t>(row.sample)];
        const int64_t end = offsets[static_cast<size_t>(row.sample) + 1];
        windows.emplace_back(std::max(first, row.token_row - context), std::min(end, row.token_row + context + 1));
    }
    for (const auto& domain : list.top_by_domain)
        for (const TopToken& t : domain)
            if (t.representative >= 0) windows.emplace_back(t.representative, t.representative + 1);
    std::sort(windows.begin(), windows.end());

    // Merge windows closer than a chunk: one read per stretch of the file, bounded in size.
    constexpr int64_t kMaxSpan = 1 << 16;
    std::vector<std::pair<int64_t, int64_t>> ranges;
    for (const auto& w : windows) {
        if (w.first >= w.second) continue;
        if (!ranges.empty() && w.first <= ranges.back().second + chunk &&
            std::max(w.second, ranges.back().second) - ranges.back().first <= kMaxSpan)
            ranges.back().second = std::max(ranges.back().second, w.second);
        else
            ranges.push_back(w);
    }

    RowTexts texts;
    for (const auto& [begin, end] : ranges) {
        if (cancel && cancel->load()) return false;
        std::vector<std::string> part;
        {
            std::lock_guard<std::mutex> lock(hdf5_lock);
            if (list.has_text) {
                part = reader.readTokenPieces(begin, end - begin);
            } else {
                for (int32_t id : reader.readTokenIds(begin, end - begin)) part.push_back(idText(id));
            }
        }
        texts.add(begin, std::move(part));
    }

    auto text = [&](int64_t row) {
        const std::string* t = texts.at(row);
        return t ? *t : std::string("?");
    };
    for (ExpertTokenRow& row : list.rows) {
        if (row.token_row < 0 || row.sample < 0 || row.sample + 1 >= static_cast<int64_t>(offsets.size())) {
            row.piece = idText(row.token_id);
            continue;
        }
        const int64_t first = offsets[static_cast<size_t>(row.sample)];
        const int64_t end = offsets[static_cast<size_t>(row.sample) + 1];
        row.piece = text(row.token_row);
        row.before.clear();
        row.after.clear();
        for (int64_t r = std::max(first, row.token_row - context); r < row.token_row; ++r) row.before.push_back(text(r));
        for (int64_t r = row.token_row + 1; r < std::min(end, row.token_row + context + 1); ++r)
            row.after.push_back(text(r));
    }
    for (auto& domain : list.top_by_domain)
        for (TopToken& t : domain) t.piece = t.representative >= 0 ? text(t.representative) : idText(t.token);
    list.text_read = true;
    return true;
}

std::string visiblePiece(const std::string& piece) {
    std::string out;
    out.reserve(piece.size());
    for (char c : piece) {
        if (c == '\n') out += "\u21b5";
        else if (c == '\t') out += "\u2192";
        else if (c != '\r') out += c;
    }
    return out;
}

std::string contextSnippet(const ExpertTokenRow& row) {
    std::string out;
    for (const std::string& p : row.before) out += visiblePiece(p);
    out += "\u27e6" + visiblePiece(row.piece) + "\u27e7";
    for (const std::string& p : row.after) out += visiblePiece(p);
    return out;
}

}  // namespace ca::ui
