// Archive access: finding data.pkl in any top folder, reading storage bytes by key and
// refusing archives that are not torch.save output.
#include "core/io/torch_zip.h"
#include "core/util/input_error.h"
#include "tests/unit/rwimport/torch_archive_builder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace ca::torchzip {
namespace {

namespace fs = std::filesystem;
using ca::testing::torchStyleZip;
using ca::testing::writeBytes;
using ca::testing::writeTorchArchive;
using ca::testing::writeZip;

class TorchZipTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("ca_torchzip_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string errorOf(const std::function<void()>& f) {
        try {
            f();
        } catch (const InputError& e) {
            return e.what();
        }
        return "";
    }

    fs::path dir_;
};

TEST_F(TorchZipTest, FindsDataPklUnderTheArchiveFolder) {
    const fs::path p = dir_ / "router_weight_0.pth";
    writeTorchArchive(p, "PICKLE", {{"0", "abcdefgh"}}, "router_weight_0");
    TorchZipArchive zip(p.string());
    EXPECT_EQ(zip.archiveName(), "router_weight_0");
    const auto pkl = zip.readPickle();
    EXPECT_EQ(std::string(pkl.begin(), pkl.end()), "PICKLE");
}

TEST_F(TorchZipTest, ReadsARangeOfAStorageRecord) {
    const fs::path p = dir_ / "a.pth";
    writeTorchArchive(p, "P", {{"7", "0123456789"}});
    TorchZipArchive zip(p.string());
    char out[4] = {};
    zip.readStorage("7", 10, 3, 4, out);
    EXPECT_EQ(std::string(out, 4), "3456");
}

TEST_F(TorchZipTest, ReadsDeflatedRecordsToo) {
    const fs::path p = dir_ / "deflated.pth";
    const std::string data(5000, 'x');
    writeZip(p, {{"archive/data.pkl", "PK"}, {"archive/data/0", data + "tail"}},
             {"archive/data.pkl", "archive/data/0"});
    TorchZipArchive zip(p.string());
    EXPECT_EQ(zip.readPickle().size(), 2u);
    char out[4];
    zip.readStorage("0", 5004, 5000, 4, out);
    EXPECT_EQ(std::string(out, 4), "tail");
}

TEST_F(TorchZipTest, PrefetchedRecordsReadLikeOnDemandOnes) {
    const fs::path p = dir_ / "prefetch.pth";
    const std::string deflated(3000, 'z');
    writeZip(p, {{"archive/data.pkl", "P"}, {"archive/data/0", "0123456789"}, {"archive/data/1", "abcdef"},
                 {"archive/data/007", "leading zeros"}, {"archive/data/key_x", "named"},
                 {"archive/data/9", deflated + "end"}},
             {"archive/data/9"});
    TorchZipArchive lazy(p.string()), eager(p.string());
    eager.prefetchStorages();
    auto read = [](const TorchZipArchive& zip, const char* key, uint64_t declared, uint64_t off, uint64_t n) {
        std::string out(n, '\0');
        zip.readStorage(key, declared, off, n, out.data());
        return out;
    };
    for (const TorchZipArchive* zip : {&lazy, &eager}) {
        EXPECT_EQ(read(*zip, "0", 10, 2, 5), "23456");
        EXPECT_EQ(read(*zip, "1", 6, 0, 6), "abcdef");
        EXPECT_EQ(read(*zip, "007", 13, 0, 7), "leading");
        EXPECT_EQ(read(*zip, "key_x", 5, 1, 3), "ame");
        EXPECT_EQ(read(*zip, "9", 3003, 3000, 3), "end");   // deflated: never prefetched
        EXPECT_NE(errorOf([&] { read(*zip, "1", 8, 0, 8); }).find("holds 6 bytes, the pickle declares 8"),
                  std::string::npos);
        EXPECT_NE(errorOf([&] { read(*zip, "7", 1, 0, 1); }).find("archive/data/7 is missing"), std::string::npos);
    }
}

TEST_F(TorchZipTest, RefusesRecordsShorterThanDeclared) {
    const fs::path p = dir_ / "short.pth";
    writeTorchArchive(p, "P", {{"0", "1234"}});
    TorchZipArchive zip(p.string());
    char out[8];
    const std::string err = errorOf([&] { zip.readStorage("0", 8, 0, 8, out); });
    EXPECT_NE(err.find("holds 4 bytes, the pickle declares 8"), std::string::npos) << err;
    EXPECT_EQ(err.rfind(p.string(), 0), 0u) << err;
}

TEST_F(TorchZipTest, RefusesMissingRecordsAndReadsPastTheDeclaredSize) {
    const fs::path p = dir_ / "missing.pth";
    writeTorchArchive(p, "P", {{"0", "1234"}});
    TorchZipArchive zip(p.string());
    char out[8];
    EXPECT_NE(errorOf([&] { zip.readStorage("1", 4, 0, 4, out); }).find("missing"), std::string::npos);
    EXPECT_NE(errorOf([&] { zip.readStorage("0", 4, 2, 4, out); }).find("past its storage"), std::string::npos);
}

TEST_F(TorchZipTest, RefusesFilesThatAreNotZipArchives) {
    const fs::path p = dir_ / "text.pth";
    std::ofstream(p) << "hello, not a zip";
    const std::string err = errorOf([&] { TorchZipArchive zip(p.string()); });
    EXPECT_NE(err.find("not a zip archive"), std::string::npos) << err;
    const fs::path empty = dir_ / "empty.pth";
    std::ofstream{empty};
    EXPECT_NE(errorOf([&] { TorchZipArchive zip(empty.string()); }), "");
}

TEST_F(TorchZipTest, NamesTruncationAndTheLegacyFormat) {
    const fs::path cut = fs::path(CA_TEST_DATA_DIR) / "rwimport" / "errors" / "truncated.pth";
    EXPECT_NE(errorOf([&] { TorchZipArchive zip(cut.string()); }).find("truncated or damaged zip archive"),
              std::string::npos);
    // torch < 1.6 wrote a bare pickle stream starting with the protocol opcode.
    const fs::path legacy = dir_ / "legacy.pth";
    std::ofstream(legacy, std::ios::binary) << std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20", 10);
    EXPECT_NE(errorOf([&] { TorchZipArchive zip(legacy.string()); }).find("legacy torch.save file"),
              std::string::npos);
}

TEST_F(TorchZipTest, RefusesZipArchivesWithoutDataPkl) {
    const fs::path p = dir_ / "other.zip";
    writeZip(p, {{"readme.txt", "hi"}, {"a/b/data.pkl", "nested too deep"}});
    EXPECT_NE(errorOf([&] { TorchZipArchive zip(p.string()); }).find("no <name>/data.pkl"), std::string::npos);
}

TEST_F(TorchZipTest, RefusesBigEndianArchives) {
    const fs::path p = dir_ / "be.pth";
    writeTorchArchive(p, "P", {}, "archive", {{"archive/byteorder", "big"}});
    EXPECT_NE(errorOf([&] { TorchZipArchive zip(p.string()); }).find("big-endian"), std::string::npos);
    const fs::path le = dir_ / "le.pth";
    writeTorchArchive(le, "P", {}, "archive", {{"archive/byteorder", "little"}});
    EXPECT_EQ(errorOf([&] { TorchZipArchive zip(le.string()); }), "");
}

TEST_F(TorchZipTest, RefusesTruncatedArchives) {
    const fs::path p = dir_ / "whole.pth";
    writeTorchArchive(p, std::string(3000, 'p'), {{"0", std::string(3000, 'd')}});
    std::string bytes;
    {
        std::ifstream in(p, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    // Cut anywhere: either the archive no longer opens or a read fails; never a crash.
    for (size_t cut : {size_t{10}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 30}) {
        const fs::path t = dir_ / "cut.pth";
        std::ofstream(t, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(cut));
        const std::string err = errorOf([&] {
            TorchZipArchive zip(t.string());
            zip.readPickle();
            char out[3000];
            zip.readStorage("0", 3000, 0, 3000, out);
        });
        EXPECT_NE(err, "") << "cut at " << cut;
    }
}

// ---- the layout torch.save writes, read by our own zip reader ------------------------------

namespace {

const std::vector<std::pair<std::string, std::string>> kTorchEntries{
    {"archive/data.pkl", "PICKLE"}, {"archive/data/0", "0123456789"}, {"archive/data/1", "abc"},
    {"archive/version", "3\n"}};

// Replaces the bytes at `at` (tests corrupt archives on purpose).
std::string patched(std::string bytes, size_t at, const std::string& with) {
    bytes.replace(at, with.size(), with);
    return bytes;
}

std::string le32(uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); }

}  // namespace

TEST_F(TorchZipTest, ReadsTheLayoutTorchSaveWrites) {
    // Data descriptors, "FB" padding, zip64 end records: what torch 1.13 writes.
    const fs::path p = dir_ / "torch_style.pth";
    writeBytes(p, torchStyleZip(kTorchEntries));
    for (bool prefetch : {false, true}) {
        TorchZipArchive zip(p.string());
        if (prefetch) zip.prefetchStorages();
        EXPECT_EQ(zip.archiveName(), "archive");
        const auto pkl = zip.readPickle();
        EXPECT_EQ(std::string(pkl.begin(), pkl.end()), "PICKLE");
        char out[10];
        zip.readStorage("0", 10, 0, 10, out);
        EXPECT_EQ(std::string(out, 10), "0123456789");
        zip.readStorage("1", 3, 1, 2, out);
        EXPECT_EQ(std::string(out, 2), "bc");
    }
}

TEST_F(TorchZipTest, ReadsZip64ArchivesWithMoreThan65535Entries) {
    // The end record's 16-bit count says 65,535; the zip64 end record holds the real one.
    std::vector<std::pair<std::string, std::string>> entries{{"big/data.pkl", "P"}};
    for (uint32_t i = 0; i < 70000; ++i) entries.emplace_back("big/data/" + std::to_string(i), le32(i * 3));
    const fs::path p = dir_ / "big.pth";
    writeBytes(p, torchStyleZip(entries));
    TorchZipArchive zip(p.string());
    zip.prefetchStorages();
    for (uint32_t i : {0u, 1u, 65535u, 65536u, 69999u}) {
        uint32_t v = 0;
        zip.readStorage(std::to_string(i), 4, 0, 4, &v);
        EXPECT_EQ(v, i * 3) << i;
    }
    uint32_t v;
    EXPECT_NE(errorOf([&] { zip.readStorage("70000", 4, 0, 4, &v); }).find("big/data/70000 is missing"),
              std::string::npos);
}

TEST_F(TorchZipTest, DamagedArchivesAreRefusedNamingTheFileAndEntry) {
    const std::string good = torchStyleZip(kTorchEntries);
    const size_t data0 = good.find("0123456789");
    const size_t local0 = good.find("PK\x03\x04" + std::string("\x00\x00\x08\x08", 4), 1);  // 2nd record
    const size_t central = good.find("PK\x01\x02");
    const size_t central1 = good.find("PK\x01\x02", central + 1);  // data/0's directory entry
    const size_t end = good.rfind("PK\x05\x06");
    const size_t zip64_end = good.rfind("PK\x06\x06");
    struct Case {
        const char* what;
        std::string bytes;
        std::string expected;
    };
    const std::vector<Case> cases{
        {"a data byte", patched(good, data0 + 3, "X"), "archive/data/0 is damaged (CRC-32 mismatch)"},
        {"a local header", patched(good, local0, "PK\x09\x09"), "no local header for archive/data/0"},
        {"a local name", patched(good, local0 + 30 + 13, "7"), "local header of archive/data/0 does not match"},
        {"the directory offset", patched(patched(good, end + 16, le32(0x7fffffff)), zip64_end + 48, le32(0x7fffffff)),
         "central directory lies outside the file"},
        {"an entry offset", patched(good, central1 + 42, le32(static_cast<uint32_t>(central))),
         "entry archive/data/0 lies outside the file"},
        {"the encryption flag", patched(good, central1 + 8, std::string("\x09\x08", 2)), "archive/data/0 is encrypted"},
        {"the method", patched(good, central1 + 10, std::string("\x0c\x00", 2)), "compression method 12"},
        {"the entry count", patched(patched(good, zip64_end + 24, le32(1000)), zip64_end + 32, le32(1000)),
         "1000 entries cannot fit"},
    };
    for (const Case& c : cases) {
        const fs::path p = dir_ / "damaged.pth";
        writeBytes(p, c.bytes);
        const std::string err = errorOf([&] {
            TorchZipArchive zip(p.string());
            zip.prefetchStorages();
            char out[10];
            zip.readStorage("0", 10, 0, 10, out);
        });
        EXPECT_NE(err.find(c.expected), std::string::npos) << c.what << ": " << err;
        EXPECT_EQ(err.rfind(p.string() + ": ", 0), 0u) << c.what << ": " << err;
    }
}

TEST_F(TorchZipTest, EveryCutAndEveryFlippedByteIsRefusedOrReadsTheSameBytes) {
    // A mini fuzz: no corruption of one byte may crash, throw anything but InputError or
    // hand out different bytes (the CRC-32 guards the data, the directory guards the rest).
    const std::string good = torchStyleZip(kTorchEntries);
    const fs::path p = dir_ / "mutant.pth";
    auto readAll = [&] {
        TorchZipArchive zip(p.string());
        zip.prefetchStorages();
        const auto pkl = zip.readPickle();
        std::string a(10, '\0'), b(3, '\0');
        zip.readStorage("0", 10, 0, 10, a.data());
        zip.readStorage("1", 3, 0, 3, b.data());
        return std::string(pkl.begin(), pkl.end()) + "|" + a + "|" + b;
    };
    writeBytes(p, good);
    const std::string expected = readAll();
    for (size_t cut = 0; cut < good.size(); ++cut) {
        writeBytes(p, good.substr(0, cut));
        EXPECT_NE(errorOf([&] { readAll(); }), "") << "cut at " << cut;
    }
    for (size_t at = 0; at < good.size(); ++at) {
        std::string mutant = good;
        mutant[at] = static_cast<char>(mutant[at] ^ 0x5a);
        writeBytes(p, mutant);
        try {
            EXPECT_EQ(readAll(), expected) << "byte " << at;
        } catch (const InputError&) {
        }
    }
}

TEST_F(TorchZipTest, MissingFileIsAnInputError) {
    const std::string err = errorOf([&] { TorchZipArchive zip((dir_ / "nope.pth").string()); });
    EXPECT_NE(err.find("cannot open"), std::string::npos) << err;
}

}  // namespace
}  // namespace ca::torchzip
