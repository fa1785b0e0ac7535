// libFuzzer target: the input is a whole torch.save archive (a zip file). It is opened with
// core/io/torch_zip (our reader of the zip directory over a memory map), its data.pkl read,
// its records checked by prefetchStorages and the first storage keys read at several
// declared sizes and offsets. Contract: every input either reads or throws ca::InputError;
// no crash, hang, leak, out-of-bounds read or unbounded allocation.
#include "core/io/torch_zip.h"
#include "core/util/input_error.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = "/tmp/ca_torch_zip_fuzz_" + std::to_string(getpid()) + ".pth";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    try {
        ca::torchzip::TorchZipArchive zip(path);
        (void)zip.readPickle();
        zip.prefetchStorages();
        std::vector<uint8_t> out(4096);
        for (const char* key : {"0", "1", "2", "3", "7", "10", "named", "007"})
            for (uint64_t declared : {uint64_t{1}, uint64_t{8}, uint64_t{48}, uint64_t{4096}}) {
                try {
                    zip.readStorage(key, declared, declared / 2, declared - declared / 2, out.data());
                } catch (const ca::InputError&) {
                }
            }
    } catch (const ca::InputError&) {
    }
    return 0;
}
