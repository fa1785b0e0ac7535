// The desktop app's entry point (committee-audit with no arguments or a file argument).
#pragma once

namespace ca::ui {

// Runs the app until its window closes; files in argv[1..] are opened. torch_version is
// shown in the About box (ui/ never includes libtorch, so app/ passes it in).
int runGui(int argc, char** argv, const char* torch_version = nullptr);

// Application name, organisation, version, high-DPI policy and the saved theme:
// everything a QApplication of this project sets before its first window.
void configureApplication();

}  // namespace ca::ui
