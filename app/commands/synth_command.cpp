// `committee-audit synth --shape olmoe|deepseek|qwen3 --out T.h5`: a seeded
// synthetic trace with planted committees (what was planted goes to stdout as JSON).
#include "app/commands/command.h"
#include "core/synthetic/synthetic_trace.h"

#include <cstdio>
#include <fstream>

namespace ca::cli {

void registerSynth(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand(
        "synth", "Write a seeded synthetic trace with planted committees (tests, demos)");
    struct Args {
        std::string shape = "olmoe", out, truth;
        uint64_t seed = 1;
        int samples_per_domain = 40, positions = 0;
        double committee = 4.0, domain = 2.5, noise = 1.0;
        bool no_committee = false, full_probs = false;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("--shape", a->shape, "olmoe | deepseek | qwen3")->capture_default_str();
    cmd->add_option("--out", a->out, "Trace to write")->required();
    cmd->add_option("--seed", a->seed, "Random seed")->capture_default_str();
    cmd->add_option("--samples-per-domain", a->samples_per_domain)->capture_default_str();
    cmd->add_option("--positions", a->positions, "Token positions per sample (0: 3 to 8)");
    cmd->add_option("--committee-strength", a->committee, "Logit boost of committee members")
        ->capture_default_str();
    cmd->add_option("--domain-strength", a->domain, "Logit boost of domain experts")
        ->capture_default_str();
    cmd->add_option("--noise", a->noise, "Logit noise scale")->capture_default_str();
    cmd->add_flag("--no-committee", a->no_committee, "Plant no committee and no domain experts");
    cmd->add_flag("--full-probs", a->full_probs, "Store the full softmax for every position");
    cmd->add_option("--truth", a->truth, "Also write the planted truth JSON to this file");
    cmd->callback([&run, a] {
        run = [a] {
            SyntheticSpec spec = SyntheticSpec::forShape(a->shape);
            spec.seed = a->seed;
            spec.samples_per_domain = a->samples_per_domain;
            if (a->positions > 0) spec.min_positions = spec.max_positions = a->positions;
            spec.committee_strength = a->no_committee ? 0.0 : a->committee;
            spec.domain_strength = a->no_committee ? 0.0 : a->domain;
            spec.noise = a->noise;
            spec.full_probs = a->full_probs;
            const PlantedTruth truth = writeSyntheticTrace(spec, a->out);
            const std::string json = plantedTruthJson(spec, truth);
            if (!a->truth.empty()) std::ofstream(a->truth) << json << "\n";
            std::fprintf(stderr, "wrote synthetic %s trace %s (seed %llu)\n", a->shape.c_str(),
                         a->out.c_str(), static_cast<unsigned long long>(a->seed));
            return kExitOk;
        };
    });
}

}  // namespace ca::cli
