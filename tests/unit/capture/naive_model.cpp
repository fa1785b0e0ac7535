#include "tests/unit/capture/naive_model.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ca::test {

namespace {

using Vec = std::vector<double>;
using nlohmann::json;

int64_t cfgInt(const json& c, const char* key, int64_t fallback) {
    auto it = c.find(key);
    return it == c.end() || it->is_null() ? fallback : it->get<int64_t>();
}
double cfgNum(const json& c, const char* key, double fallback) {
    auto it = c.find(key);
    return it == c.end() || it->is_null() ? fallback : it->get<double>();
}

// y = W x with W [out, in] row-major.
Vec matVec(const TinyTensor& W, const Vec& x) {
    const int64_t out = W.shape[0], in = W.shape[1];
    Vec y(static_cast<size_t>(out), 0.0);
    for (int64_t o = 0; o < out; ++o) {
        double s = 0;
        for (int64_t i = 0; i < in; ++i) s += double(W.values[o * in + i]) * x[i];
        y[o] = s;
    }
    return y;
}

// RMSNorm over x[offset, offset+n) with weight w.
Vec rms(const Vec& x, const TinyTensor& w, double eps, size_t offset = 0, size_t n = 0) {
    if (n == 0) n = x.size();
    double ss = 0;
    for (size_t i = 0; i < n; ++i) ss += x[offset + i] * x[offset + i];
    const double inv = 1.0 / std::sqrt(ss / double(n) + eps);
    Vec y(n);
    for (size_t i = 0; i < n; ++i) y[i] = x[offset + i] * inv * double(w.values[i]);
    return y;
}

double silu(double z) { return z / (1.0 + std::exp(-z)); }

Vec mlp(const TinyModel& m, const std::string& p, const Vec& x) {
    Vec g = matVec(m.at(p + "gate_proj.weight"), x);
    Vec u = matVec(m.at(p + "up_proj.weight"), x);
    for (size_t i = 0; i < g.size(); ++i) g[i] = silu(g[i]) * u[i];
    return matVec(m.at(p + "down_proj.weight"), g);
}

// Rotation of the pair (x[a], x[b]) by angle.
void rotatePair(Vec& x, size_t a, size_t b, double angle, double magnitude) {
    const double c = std::cos(angle) * magnitude, s = std::sin(angle) * magnitude;
    const double xa = x[a], xb = x[b];
    x[a] = xa * c - xb * s;
    x[b] = xb * c + xa * s;
}

// NeoX: dims i and i + d/2 pair up.
void ropeNeox(Vec& x, size_t offset, int64_t d, int64_t pos, double theta) {
    for (int64_t i = 0; i < d / 2; ++i) {
        const double inv = 1.0 / std::pow(theta, double(2 * i) / double(d));
        rotatePair(x, offset + i, offset + i + d / 2, double(pos) * inv, 1.0);
    }
}

// DeepSeek's YaRN frequencies from the formulas of models-spec.md §4.3, in double.
Vec yarnFrequencies(int64_t d, double base, const json& rs) {
    const double s = cfgNum(rs, "factor", 1), L0 = cfgNum(rs, "original_max_position_embeddings", 4096);
    const double bf = cfgNum(rs, "beta_fast", 32), bs = cfgNum(rs, "beta_slow", 1);
    auto corr = [&](double r) { return d * std::log(L0 / (r * 2 * M_PI)) / (2 * std::log(base)); };
    double low = std::max(std::floor(corr(bf)), 0.0);
    double high = std::min(std::ceil(corr(bs)), double(d - 1));
    if (low == high) high += 0.001;
    Vec f(static_cast<size_t>(d / 2));
    for (int64_t i = 0; i < d / 2; ++i) {
        const double extra = 1.0 / std::pow(base, double(2 * i) / double(d));
        const double ramp = std::clamp((double(i) - low) / (high - low), 0.0, 1.0);
        f[i] = extra * (1 - ramp) + (extra / s) * ramp;
    }
    return f;
}

double mscaleOf(double s, double k) { return s <= 1 ? 1.0 : 0.1 * k * std::log(s) + 1.0; }

// Causal attention for all positions: q[t] holds heads × dq, k[t] heads_kv × dq, v[t]
// heads_kv × dv; query head h reads kv head h / (heads / heads_kv).
std::vector<Vec> attend(const std::vector<Vec>& q, const std::vector<Vec>& k,
                        const std::vector<Vec>& v, int64_t heads, int64_t heads_kv, int64_t dq,
                        int64_t dv, double scale) {
    const size_t T = q.size();
    std::vector<Vec> out(T, Vec(static_cast<size_t>(heads * dv), 0.0));
    for (size_t t = 0; t < T; ++t)
        for (int64_t h = 0; h < heads; ++h) {
            const int64_t kvh = h / (heads / heads_kv);
            Vec score(t + 1);
            double mx = -1e300;
            for (size_t s = 0; s <= t; ++s) {
                double dot = 0;
                for (int64_t i = 0; i < dq; ++i) dot += q[t][h * dq + i] * k[s][kvh * dq + i];
                score[s] = dot * scale;
                mx = std::max(mx, score[s]);
            }
            double z = 0;
            for (double& sc : score) z += (sc = std::exp(sc - mx));
            for (size_t s = 0; s <= t; ++s)
                for (int64_t i = 0; i < dv; ++i)
                    out[t][h * dv + i] += score[s] / z * v[s][kvh * dv + i];
        }
    return out;
}

}  // namespace

NaiveOutput naiveForward(const TinyModel& m, const std::vector<int32_t>& ids) {
    const json& c = m.config;
    const std::string type = c.at("model_type");
    const bool olmoe = type == "olmoe", qwen = type == "qwen3_moe", deepseek = type == "deepseek_v2";
    const int64_t H = cfgInt(c, "hidden_size", 0), L = cfgInt(c, "num_hidden_layers", 0);
    const int64_t heads = cfgInt(c, "num_attention_heads", 0);
    const int64_t kv_heads = cfgInt(c, "num_key_value_heads", heads);
    const double eps = cfgNum(c, "rms_norm_eps", olmoe ? 1e-5 : 1e-6);
    const double theta = cfgNum(c, "rope_theta", 10000);
    const int64_t E = deepseek ? cfgInt(c, "n_routed_experts", 0) : cfgInt(c, "num_experts", 0);
    const int64_t k = cfgInt(c, "num_experts_per_tok", 0);
    const bool norm_topk = c.value("norm_topk_prob", false);
    const size_t T = ids.size();

    std::vector<Vec> x(T, Vec(static_cast<size_t>(H)));
    const TinyTensor& emb = m.at("model.embed_tokens.weight");
    for (size_t t = 0; t < T; ++t)
        for (int64_t i = 0; i < H; ++i) x[t][i] = emb.values[ids[t] * H + i];

    NaiveOutput out;
    for (int64_t l = 0; l < L; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        std::vector<Vec> a(T);
        for (size_t t = 0; t < T; ++t) a[t] = rms(x[t], m.at(p + "input_layernorm.weight"), eps);

        // ---- attention
        std::vector<Vec> attn(T);
        if (olmoe || qwen) {
            const int64_t d = cfgInt(c, "head_dim", H / heads);
            std::vector<Vec> q(T), kk(T), v(T);
            for (size_t t = 0; t < T; ++t) {
                q[t] = matVec(m.at(p + "self_attn.q_proj.weight"), a[t]);
                kk[t] = matVec(m.at(p + "self_attn.k_proj.weight"), a[t]);
                v[t] = matVec(m.at(p + "self_attn.v_proj.weight"), a[t]);
                if (olmoe) {  // one norm over the whole projection
                    q[t] = rms(q[t], m.at(p + "self_attn.q_norm.weight"), eps);
                    kk[t] = rms(kk[t], m.at(p + "self_attn.k_norm.weight"), eps);
                } else {  // one norm per head
                    for (int64_t h = 0; h < heads; ++h) {
                        Vec n = rms(q[t], m.at(p + "self_attn.q_norm.weight"), eps, h * d, d);
                        std::copy(n.begin(), n.end(), q[t].begin() + h * d);
                    }
                    for (int64_t h = 0; h < kv_heads; ++h) {
                        Vec n = rms(kk[t], m.at(p + "self_attn.k_norm.weight"), eps, h * d, d);
                        std::copy(n.begin(), n.end(), kk[t].begin() + h * d);
                    }
                }
                for (int64_t h = 0; h < heads; ++h) ropeNeox(q[t], h * d, d, int64_t(t), theta);
                for (int64_t h = 0; h < kv_heads; ++h) ropeNeox(kk[t], h * d, d, int64_t(t), theta);
            }
            std::vector<Vec> o = attend(q, kk, v, heads, kv_heads, d, d, 1.0 / std::sqrt(double(d)));
            for (size_t t = 0; t < T; ++t) attn[t] = matVec(m.at(p + "self_attn.o_proj.weight"), o[t]);
        } else {
            const int64_t nope = cfgInt(c, "qk_nope_head_dim", 0);
            const int64_t rope = cfgInt(c, "qk_rope_head_dim", 0);
            const int64_t vd = cfgInt(c, "v_head_dim", 0), rank = cfgInt(c, "kv_lora_rank", 0);
            const int64_t dq = nope + rope;
            const json& rs = c.at("rope_scaling");
            Vec freq(static_cast<size_t>(rope / 2));
            double magnitude = 1.0, scale = 1.0 / std::sqrt(double(dq));
            if (!rs.is_null()) {
                freq = yarnFrequencies(rope, theta, rs);
                const double s = cfgNum(rs, "factor", 1);
                magnitude = mscaleOf(s, cfgNum(rs, "mscale", 1)) /
                            mscaleOf(s, cfgNum(rs, "mscale_all_dim", 0));
                const double ms = mscaleOf(s, cfgNum(rs, "mscale_all_dim", 0));
                if (cfgNum(rs, "mscale_all_dim", 0) != 0) scale *= ms * ms;
            } else {
                for (int64_t i = 0; i < rope / 2; ++i)
                    freq[i] = 1.0 / std::pow(theta, double(2 * i) / double(rope));
            }
            std::vector<Vec> q(T), kk(T), v(T);
            for (size_t t = 0; t < T; ++t) {
                q[t] = matVec(m.at(p + "self_attn.q_proj.weight"), a[t]);  // heads × (nope|rope)
                Vec ckv = matVec(m.at(p + "self_attn.kv_a_proj_with_mqa.weight"), a[t]);
                Vec latent = rms(ckv, m.at(p + "self_attn.kv_a_layernorm.weight"), 1e-6, 0, rank);
                Vec kpe(ckv.begin() + rank, ckv.end());
                Vec kv = matVec(m.at(p + "self_attn.kv_b_proj.weight"), latent);  // heads × (nope|v)
                // Interleaved pairs (2i, 2i+1) of the rope dims.
                for (int64_t i = 0; i < rope / 2; ++i) {
                    const double ang = double(t) * freq[i];
                    rotatePair(kpe, 2 * i, 2 * i + 1, ang, magnitude);
                    for (int64_t h = 0; h < heads; ++h)
                        rotatePair(q[t], h * dq + nope + 2 * i, h * dq + nope + 2 * i + 1, ang,
                                   magnitude);
                }
                kk[t].assign(static_cast<size_t>(heads * dq), 0.0);
                v[t].assign(static_cast<size_t>(heads * vd), 0.0);
                for (int64_t h = 0; h < heads; ++h) {
                    for (int64_t i = 0; i < nope; ++i) kk[t][h * dq + i] = kv[h * (nope + vd) + i];
                    for (int64_t i = 0; i < rope; ++i) kk[t][h * dq + nope + i] = kpe[i];
                    for (int64_t i = 0; i < vd; ++i) v[t][h * vd + i] = kv[h * (nope + vd) + nope + i];
                }
            }
            std::vector<Vec> o = attend(q, kk, v, heads, heads, dq, vd, scale);
            for (size_t t = 0; t < T; ++t) attn[t] = matVec(m.at(p + "self_attn.o_proj.weight"), o[t]);
        }
        for (size_t t = 0; t < T; ++t)
            for (int64_t i = 0; i < H; ++i) x[t][i] += attn[t][i];

        // ---- feed-forward
        bool moe = true;
        if (qwen)
            for (const auto& d : c.at("mlp_only_layers"))
                if (d.get<int64_t>() == l) moe = false;
        if (deepseek) moe = l >= cfgInt(c, "first_k_dense_replace", 0);
        NaiveLayerRouting* rec = nullptr;
        if (moe) {
            rec = &out.routing.emplace_back();
            rec->layer = int(l);
        }
        for (size_t t = 0; t < T; ++t) {
            Vec mm = rms(x[t], m.at(p + "post_attention_layernorm.weight"), eps);
            Vec y(static_cast<size_t>(H), 0.0);
            if (!moe) {
                y = mlp(m, p + "mlp.", mm);
            } else {
                Vec logits = matVec(m.at(p + "mlp.gate.weight"), mm);
                double mx = *std::max_element(logits.begin(), logits.end()), z = 0;
                Vec prob(logits.size());
                for (size_t e = 0; e < prob.size(); ++e) z += (prob[e] = std::exp(logits[e] - mx));
                for (double& pr : prob) pr /= z;
                std::vector<int> order(static_cast<size_t>(E));
                for (int e = 0; e < E; ++e) order[e] = e;
                std::stable_sort(order.begin(), order.end(),
                                 [&](int a2, int b2) { return prob[a2] > prob[b2]; });
                std::vector<int> sel(order.begin(), order.begin() + k);
                Vec w(static_cast<size_t>(k));
                double sum = 0;
                for (int64_t s = 0; s < k; ++s) sum += (w[s] = prob[sel[s]]);
                if (deepseek) {
                    const double rsf = cfgNum(c, "routed_scaling_factor", 1.0);
                    for (double& ws : w) ws = (k > 1 && norm_topk) ? ws / (sum + 1e-20) : ws * rsf;
                } else if (norm_topk) {
                    for (double& ws : w) ws /= sum;
                }
                for (int64_t s = 0; s < k; ++s) {
                    Vec ye = mlp(m, p + "mlp.experts." + std::to_string(sel[s]) + ".", mm);
                    for (int64_t i = 0; i < H; ++i) y[i] += w[s] * ye[i];
                }
                if (deepseek && cfgInt(c, "n_shared_experts", 0) > 0) {
                    Vec ys = mlp(m, p + "mlp.shared_experts.", mm);
                    for (int64_t i = 0; i < H; ++i) y[i] += ys[i];
                }
                rec->probs.push_back(prob);
                rec->ids.push_back(sel);
                rec->weights.push_back(w);
            }
            for (int64_t i = 0; i < H; ++i) x[t][i] += y[i];
        }
    }
    Vec last = rms(x[T - 1], m.at("model.norm.weight"), eps);
    out.last_logits = matVec(m.at("lm_head.weight"), last);
    return out;
}

}  // namespace ca::test
