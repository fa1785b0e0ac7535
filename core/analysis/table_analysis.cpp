#include "core/analysis/table_analysis.h"

#include "core/util/input_error.h"

namespace ca {

// Placeholder until the table analysis lands (being written now).
AuditResult auditAuthorsTable(const authors::Table&, const AuditSettings&, const std::string& source) {
    throw InputError(source, "authors' tables cannot be shown in the desktop app yet");
}

}  // namespace ca
