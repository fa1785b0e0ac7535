// The first sheet of an .xlsx workbook as pandas.read_excel sees it, on hand-made workbooks
// that use what writers other than pandas produce (rich text, inline strings, sparse cells,
// sheets listed out of file order), and the one-line errors for broken ones.
#include "core/io/authors_table.h"
#include "core/io/xlsx_sheet.h"
#include "core/util/input_error.h"
#include "tests/unit/util/zip_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <unistd.h>

namespace ca {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("ca_xlsx_tests_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir / name;
}

const char* kWorkbook = R"(<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
          xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
  <sheets><sheet name="audit" sheetId="1" r:id="rId7"/><sheet name="other" sheetId="2" r:id="rId1"/></sheets>
</workbook>)";

// The first listed sheet lives in sheet2.xml: only the relationship says so.
const char* kRels = R"(<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Id="rId1" Type=".../worksheet" Target="worksheets/sheet1.xml"/>
  <Relationship Id="rId7" Type=".../worksheet" Target="/xl/worksheets/sheet2.xml"/>
</Relationships>)";

const char* kSharedStrings = R"(<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">
  <si><t>idx</t></si>
  <si><t>domain</t></si>
  <si><r><t>[3, </t></r><r><t>18]</t></r><rPh><t>ignored</t></rPh></si>
  <si><t>say "hi", then</t></si>
</sst>)";

std::string sheet(const std::string& rows) {
    return R"(<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)" +
           rows + "</sheetData></worksheet>";
}

fs::path workbook(const std::string& name, const std::string& sheet2,
                  std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> entries = {
        {"xl/workbook.xml", kWorkbook},
        {"xl/_rels/workbook.xml.rels", kRels},
        {"xl/sharedStrings.xml", kSharedStrings},
        {"xl/worksheets/sheet1.xml", sheet(R"(<row r="1"><c r="A1"><v>99</v></c></row>)")},
        {"xl/worksheets/sheet2.xml", sheet2}};
    for (auto& [k, v] : extra) entries[k] = v;
    const fs::path path = scratch(name);
    test::writeZip(path, entries, {"xl/worksheets/sheet2.xml"});
    return path;
}

TEST(XlsxSheet, CellsBecomeTheCsvPandasWouldSee) {
    const fs::path path = workbook("cells.xlsx", sheet(R"(
        <row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="D2" t="inlineStr"><is><t>note</t></is></c></row>
        <row r="3"><c r="A3"><v>3.0</v></c><c r="B3" t="s"><v>2</v></c><c r="C3" t="b"><v>1</v></c><c r="D3" t="s"><v>3</v></c></row>
        <row r="5"><c r="A5"><v>0.25</v></c><c r="C5" t="b"><v>0</v></c><c r="D5" t="e"><v>#N/A</v></c></row>)"));
    // Rows 1 and 4 are empty (read_excel keeps them: row 1 is its header row); 3.0 is an
    // integral number (pandas gives int 3); a comma and quotes are CSV-quoted.
    EXPECT_EQ(xlsx::firstSheetAsCsv(path.string()),
              ",,,\n"
              "idx,domain,,note\n"
              "3,\"[3, 18]\",True,\"say \"\"hi\"\", then\"\n"
              ",,,\n"
              "0.25,,False,#N/A\n");
}

TEST(XlsxSheet, AnAuthorsTableReadsLikeItsCsv) {
    const fs::path path = workbook("table.xlsx", sheet(R"(
        <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>topk_indices</t></is></c><c r="D1" t="inlineStr"><is><t>topk_values</t></is></c></row>
        <row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>news</t></is></c><c r="C2" t="s"><v>2</v></c><c r="D2" t="inlineStr"><is><t>0.5, 0.25</t></is></c></row>)"));
    const authors::Table table = authors::readTable(path.string());
    ASSERT_EQ(table.size(), 1u);
    EXPECT_EQ(table[0].idx, 1);
    EXPECT_EQ(table[0].domain, "news");
    EXPECT_EQ(table[0].indices, (std::vector<int64_t>{3, 18}));
    EXPECT_EQ(table[0].values, (std::vector<double>{0.5, 0.25}));
}

std::string errorOf(const fs::path& path) {
    try {
        xlsx::firstSheetAsCsv(path.string());
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(XlsxSheet, BrokenWorkbooksAreOneLineInputErrorsNamingTheFile) {
    const fs::path bad_xml = workbook("bad_xml.xlsx", "<worksheet><sheetData><row>");
    EXPECT_NE(errorOf(bad_xml).find("bad_xml.xlsx: xl/worksheets/sheet2.xml is not XML"),
              std::string::npos)
        << errorOf(bad_xml);
    const fs::path bad_string = workbook("bad_string.xlsx", sheet(R"(<row r="1"><c r="A1" t="s"><v>40</v></c></row>)"));
    EXPECT_NE(errorOf(bad_string).find("outside the shared string table"), std::string::npos);
    const fs::path bad_ref = workbook("bad_ref.xlsx", sheet(R"(<row r="1"><c r="ZZZZ1"><v>1</v></c></row>)"));
    EXPECT_NE(errorOf(bad_ref).find("bad cell reference 'ZZZZ1'"), std::string::npos);
    // A few bytes naming the last cell of a sheet would make a dense grid of 17 G cells.
    try {
        xlsx::sheetAsCsv(sheet(R"(<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>)"), {},
                         "huge.xlsx", "sheet1.xml");
        ADD_FAILURE() << "expected an InputError";
    } catch (const InputError& e) {
        EXPECT_STREQ(e.what(), "huge.xlsx: sheet1.xml spans 1048576 rows x 16384 columns: too "
                               "large for a table");
    }
    const fs::path no_workbook = scratch("no_workbook.xlsx");
    test::writeZip(no_workbook, {{"hello.txt", "hi"}});
    EXPECT_NE(errorOf(no_workbook).find("no xl/workbook.xml"), std::string::npos);
    for (const fs::path& p : {bad_xml, bad_string, bad_ref, no_workbook})
        EXPECT_EQ(errorOf(p).find('\n'), std::string::npos) << p;
}

}  // namespace
}  // namespace ca
