// Errors caused by what the user gave us (a file, a flag), as opposed to bugs.
//
// The command line turns an InputError into a one-line message "FILE: problem"
// and exit code 2; the GUI shows it in a dialog. Anything else that escapes is
// an internal error (exit code 1).
#pragma once

#include <stdexcept>
#include <string>

namespace ca {

class InputError : public std::runtime_error {
public:
    InputError(std::string file, std::string problem)
        : std::runtime_error(file.empty() ? problem : file + ": " + problem),
          file_(std::move(file)), problem_(std::move(problem)) {}

    const std::string& file() const { return file_; }
    const std::string& problem() const { return problem_; }

private:
    std::string file_;
    std::string problem_;
};

}  // namespace ca
