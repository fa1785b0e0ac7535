#include "ui/session/analysis_settings.h"

namespace ca::ui {

AuditSettings AnalysisSettings::auditSettings() const {
    AuditSettings s;
    if (scoreGiven()) s.variant = parseEciVariant(score.toStdString());
    s.positions = PositionSelection::parse(positions.toStdString());
    s.presence_ratio = presence_ratio;
    s.audit_k = audit_k;
    s.permutations = permutations;
    s.bootstrap = bootstrap;
    s.seed = seed;
    return s;
}

}  // namespace ca::ui
