#include "core/io/xlsx_sheet.h"

#include <zip.h>

#include <pugixml.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/input_error.h"

namespace ca::xlsx {

namespace {

constexpr zip_uint64_t kMaxEntryBytes = 256ull << 20;
constexpr int64_t kMaxRows = 1048576, kMaxColumns = 16384;  // Excel's own limits
// The CSV is dense: a few bytes of XML can name cell XFD1048576. Far above any top-k table.
constexpr int64_t kMaxGridCells = int64_t(1) << 26;

class Archive {
public:
    explicit Archive(const std::string& path) : path_(path) {
        int error = 0;
        zip_ = zip_open(path.c_str(), ZIP_RDONLY, &error);
        if (!zip_) {
            zip_error_t e;
            zip_error_init_with_code(&e, error);
            const std::string why = zip_error_strerror(&e);
            zip_error_fini(&e);
            throw InputError(path, "not an .xlsx workbook (" + why + ")");
        }
    }
    ~Archive() { zip_discard(zip_); }
    Archive(const Archive&) = delete;
    Archive& operator=(const Archive&) = delete;

    std::optional<std::string> read(const std::string& name) const {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat(zip_, name.c_str(), 0, &st) != 0) return std::nullopt;
        if (!(st.valid & ZIP_STAT_SIZE) || st.size > kMaxEntryBytes)
            throw InputError(path_, name + " is larger than 256 MiB uncompressed");
        std::unique_ptr<zip_file_t, decltype(&zip_fclose)> file(zip_fopen(zip_, name.c_str(), 0),
                                                                &zip_fclose);
        if (!file) throw InputError(path_, "cannot read " + name + " in the workbook");
        std::string bytes(st.size, '\0');
        zip_int64_t got = 0;
        while (got < static_cast<zip_int64_t>(st.size)) {
            const zip_int64_t n = zip_fread(file.get(), bytes.data() + got, st.size - got);
            if (n <= 0) throw InputError(path_, name + " in the workbook is corrupt");
            got += n;
        }
        return bytes;
    }

    pugi::xml_document xml(const std::string& name, bool required) const {
        pugi::xml_document doc;
        const std::optional<std::string> bytes = read(name);
        if (!bytes) {
            if (required) throw InputError(path_, "not an .xlsx workbook (no " + name + ")");
            return doc;
        }
        const pugi::xml_parse_result ok = doc.load_buffer(bytes->data(), bytes->size());
        if (!ok) throw InputError(path_, name + " is not XML: " + ok.description());
        return doc;
    }

private:
    std::string path_;
    zip_t* zip_ = nullptr;
};

// An attribute whatever its namespace prefix ("r:id" in the sheets list).
pugi::xml_attribute attributeNamed(const pugi::xml_node& node, std::string_view local) {
    for (pugi::xml_attribute a : node.attributes()) {
        const std::string_view name = a.name();
        const size_t colon = name.rfind(':');
        if ((colon == std::string_view::npos ? name : name.substr(colon + 1)) == local) return a;
    }
    return {};
}

// The worksheet part of the first sheet: workbook.xml's first <sheet>, through its relationship.
std::string firstSheetPart(const Archive& zip, const std::string& path) {
    const pugi::xml_document workbook = zip.xml("xl/workbook.xml", true);
    const pugi::xml_node sheet = workbook.child("workbook").child("sheets").child("sheet");
    if (!sheet) throw InputError(path, "the workbook has no sheets");
    const std::string id = attributeNamed(sheet, "id").as_string();
    const pugi::xml_document rels = zip.xml("xl/_rels/workbook.xml.rels", false);
    for (pugi::xml_node r : rels.child("Relationships").children("Relationship")) {
        if (id.empty() || r.attribute("Id").as_string() != id) continue;
        std::string target = r.attribute("Target").as_string();
        if (!target.empty() && target.front() == '/') return target.substr(1);
        return "xl/" + target;
    }
    return "xl/worksheets/sheet1.xml";  // what every writer names the first sheet
}

// Text of a string item: its <t>, or its rich-text runs' <t> (phonetic <rPh> runs excluded).
std::string itemText(const pugi::xml_node& item) {
    if (pugi::xml_node t = item.child("t")) return t.text().get();
    std::string text;
    for (pugi::xml_node run : item.children("r")) text += run.child("t").text().get();
    return text;
}

std::vector<std::string> sharedStrings(const Archive& zip) {
    std::vector<std::string> strings;
    const pugi::xml_document doc = zip.xml("xl/sharedStrings.xml", false);
    for (pugi::xml_node si : doc.child("sst").children("si")) strings.push_back(itemText(si));
    return strings;
}

// "B12" -> (11, 1), 0-based; nullopt when malformed or beyond Excel's limits.
std::optional<std::pair<int64_t, int64_t>> parseReference(std::string_view ref) {
    int64_t col = 0;
    size_t i = 0;
    for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) {
        col = col * 26 + (ref[i] - 'A' + 1);
        if (col > kMaxColumns) return std::nullopt;
    }
    int64_t row = 0;
    const auto [end, ec] = std::from_chars(ref.data() + i, ref.data() + ref.size(), row);
    if (i == 0 || ec != std::errc() || end != ref.data() + ref.size() || row < 1 || row > kMaxRows)
        return std::nullopt;
    return std::make_pair(row - 1, col - 1);
}

// A numeric cell's text as pandas holds it: integral values as integers.
std::string numberText(const std::string& v) {
    double x = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || end != v.data() + v.size()) return v;  // left for the CSV reader
    if (std::isfinite(x) && x == std::trunc(x) && std::fabs(x) < 9.2e18)
        return std::to_string(static_cast<int64_t>(x));
    return v;
}

std::string cellText(const pugi::xml_node& c, const std::vector<std::string>& shared,
                     const std::string& path) {
    const std::string type = c.attribute("t").as_string("n");
    const std::string v = c.child("v").text().get();
    if (type == "s") {
        size_t index = 0;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), index);
        if (ec != std::errc() || end != v.data() + v.size() || index >= shared.size())
            throw InputError(path, std::string("cell ") + c.attribute("r").as_string() +
                                       " points outside the shared string table");
        return shared[index];
    }
    if (type == "inlineStr") return itemText(c.child("is"));
    if (type == "b") return v == "1" ? "True" : v.empty() ? "" : "False";
    if (type == "n") return v.empty() ? "" : numberText(v);
    return v;  // str (formula text), e (error code), d (ISO date text)
}

void appendCsvField(std::string& out, const std::string& field) {
    if (field.find_first_of(",\"\r\n") == std::string::npos) {
        out += field;
        return;
    }
    out += '"';
    for (char ch : field) {
        if (ch == '"') out += '"';
        out += ch;
    }
    out += '"';
}

}  // namespace

std::string firstSheetAsCsv(const std::string& path) {
    const Archive zip(path);
    const std::vector<std::string> shared = sharedStrings(zip);
    const std::string part = firstSheetPart(zip, path);
    const std::optional<std::string> xml = zip.read(part);
    if (!xml) throw InputError(path, "not an .xlsx workbook (no " + part + ")");
    return sheetAsCsv(*xml, shared, path, part);
}

std::string sheetAsCsv(std::string_view sheet_xml, const std::vector<std::string>& shared,
                       const std::string& path, const std::string& part) {
    pugi::xml_document sheet;
    const pugi::xml_parse_result parsed = sheet.load_buffer(sheet_xml.data(), sheet_xml.size());
    if (!parsed) throw InputError(path, part + " is not XML: " + parsed.description());
    const pugi::xml_node data = sheet.child("worksheet").child("sheetData");

    std::map<int64_t, std::map<int64_t, std::string>> cells;  // row -> column -> text
    int64_t next_row = 0, columns = 0;
    for (pugi::xml_node row : data.children("row")) {
        int64_t r = next_row;
        if (pugi::xml_attribute at = row.attribute("r")) {
            r = at.as_llong(0) - 1;
            if (r < 0 || r >= kMaxRows) throw InputError(path, "a row number is out of range");
        }
        int64_t next_col = 0;
        for (pugi::xml_node c : row.children("c")) {
            int64_t col = next_col;
            if (pugi::xml_attribute ref = c.attribute("r")) {
                const auto rc = parseReference(ref.as_string());
                if (!rc) throw InputError(path, std::string("bad cell reference '") + ref.as_string() + "'");
                col = rc->second;
            }
            std::string text = cellText(c, shared, path);
            if (!text.empty()) {
                cells[r][col] = std::move(text);
                columns = std::max(columns, col + 1);
            }
            next_col = col + 1;
        }
        next_row = r + 1;
    }
    if (cells.empty()) return "";

    // Rows from the sheet's first (read_excel's header=0 is row 1, even when it is empty) to
    // the last holding a value; empty rows stay as rows of empty cells, as read_excel keeps them.
    std::string csv;
    const int64_t last = cells.rbegin()->first;
    if ((last + 1) * columns > kMaxGridCells)
        throw InputError(path, part + " spans " + std::to_string(last + 1) + " rows x " +
                                   std::to_string(columns) + " columns: too large for a table");
    for (int64_t r = 0; r <= last; ++r) {
        const auto row = cells.find(r);
        for (int64_t c = 0; c < columns; ++c) {
            if (c) csv += ',';
            if (row == cells.end()) continue;
            const auto cell = row->second.find(c);
            if (cell != row->second.end()) appendCsvField(csv, cell->second);
        }
        csv += '\n';
    }
    return csv;
}

}  // namespace ca::xlsx
