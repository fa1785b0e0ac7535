// The project's portable, documented randomness (used by the permutation null and
// the bootstrap), identical on every platform and standard library:
//  - one std::mt19937_64 per replicate (its output sequence is fixed by the C++
//    standard), seeded with deriveSeed(seed, stream, index), so replicate i does not
//    depend on how replicates are spread over threads;
//  - deriveSeed = mix(mix(mix(seed) ^ (stream * G)) ^ ((index + 1) * G)) with
//    G = 0x9E3779B97F4A7C15 and mix the SplitMix64 finaliser;
//  - uniformBelow(n): draw x until x >= (2^64 mod n), return x mod n (unbiased; unlike
//    std::uniform_int_distribution its mapping is specified here);
//  - shuffleInPlace: Fisher-Yates from the last position down, j = uniformBelow(i + 1).
#pragma once

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace ca::analysis {

inline uint64_t splitmixMix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

inline uint64_t deriveSeed(uint64_t seed, uint64_t stream, uint64_t index) {
    constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
    return splitmixMix(splitmixMix(splitmixMix(seed) ^ (stream * kGolden)) ^
                       ((index + 1) * kGolden));
}

inline uint64_t uniformBelow(std::mt19937_64& rng, uint64_t n) {
    const uint64_t limit = (0 - n) % n;  // 2^64 mod n
    uint64_t x = rng();
    while (x < limit) x = rng();
    return x % n;
}

template <typename T>
void shuffleInPlace(std::vector<T>& values, std::mt19937_64& rng) {
    for (size_t i = values.size(); i > 1; --i) {
        const auto j = static_cast<size_t>(uniformBelow(rng, i));
        std::swap(values[i - 1], values[j]);
    }
}

}  // namespace ca::analysis
