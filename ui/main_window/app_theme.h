// Light and dark palettes (Fusion style, so they look the same on every desktop).
// Plots keep white backgrounds in both: they are made to be exported into papers.
#pragma once

#include <QString>

namespace ca::ui {

enum class Theme { System, Light, Dark };

Theme parseTheme(const QString& name);  // "system" | "light" | "dark"; unknown = System
QString themeName(Theme theme);
void applyTheme(Theme theme);           // needs a QApplication

}  // namespace ca::ui
