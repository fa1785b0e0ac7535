// The desktop app's entry point (committee-audit with no arguments or a file argument).
#pragma once

namespace ca::ui {

// Runs the app until its window closes; files in argv[1..] are opened.
int runGui(int argc, char** argv);

// Application name, organisation, version, high-DPI policy and the saved theme:
// everything a QApplication of this project sets before its first window.
void configureApplication();

}  // namespace ca::ui
