// Entry point of the desktop application (issue: the desktop app).
#pragma once

namespace ca::ui {

int runGui(int argc, char** argv);

}  // namespace ca::ui
