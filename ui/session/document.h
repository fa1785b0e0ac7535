// An open file: a routing trace (.h5) or one of the authors' top-k tables (.csv), and
// the analysis the current settings give for it. Analyses are immutable once published
// and shared (std::shared_ptr<const>), so views may keep one while a newer one is computed.
#pragma once

#include "core/analysis/trace_analysis.h"
#include "core/trace/trace_reader.h"
#include "ui/session/analysis_settings.h"

#include <QString>

#include <memory>
#include <mutex>

namespace ca::ui {

struct DocumentAnalysis {
    AnalysisSettings settings;  // what produced it
    TraceAnalysis result;       // obs and token ids stay empty for an authors' table
    bool significance_pending = false;  // p-values still being computed
};

struct Document {
    enum class Kind { Trace, AuthorsTable };
    Kind kind = Kind::Trace;
    QString path;
    QString name;  // short label for legends and tabs: the file name, or the model when unique
    std::shared_ptr<const TraceReader> reader;  // traces only
    std::shared_ptr<const DocumentAnalysis> analysis;  // null until the first analysis is done
    QString error;  // the last analysis error ("" when fine)

    const AuditResult* audit() const { return analysis ? &analysis->result.audit : nullptr; }
    bool isTrace() const { return kind == Kind::Trace; }
};

// libhdf5 as Debian builds it is not thread-safe: every call into a TraceReader
// (from the GUI thread or a background job) holds this lock.
std::mutex& hdf5Mutex();

// .csv / .xlsx / .xls are the authors' tables; everything else is opened as a trace.
Document::Kind kindOfPath(const QString& path);

}  // namespace ca::ui
