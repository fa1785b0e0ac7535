// What the user chose in the Settings panel; every open document is analysed with it.
#pragma once

#include "core/analysis/audit.h"

#include <QString>

namespace ca::ui {

struct AnalysisSettings {
    QString score = QStringLiteral("auto");    // auto | paper | authors | frequency
    QString positions = QStringLiteral("last");  // last | all | A:B
    double presence_ratio = 0.8;               // gamma
    int audit_k = 0;                           // 0 = the model's k
    QString group_by = QStringLiteral("domain");  // domain | subject | cognitive | difficulty
    QString taxonomy;                          // "" = the labels as they are; built-in name or
                                               // JSON path (maps subjects: with group_by domain)
    int permutations = 100;                    // p-values in the committee table (0 = none)
    int bootstrap = 0;
    quint64 seed = 0;

    bool operator==(const AnalysisSettings&) const = default;

    // The core request these settings describe (throws InputError for bad positions or score).
    AuditSettings auditSettings() const;
    bool scoreGiven() const { return score != QLatin1String("auto"); }
};

}  // namespace ca::ui
