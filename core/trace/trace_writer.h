// Writes a trace file, format v1 (DESIGN.md §3), one sample at a time.
//
// Every dataset is chunked and extensible along its first axis. append()
// extends all of them and then flushes, and the sample count attribute
// /samples@complete_samples is written last: a file cut off by a crash or
// Ctrl-C therefore always holds whole samples, and openForAppend() resumes it
// (rows past the last complete sample are trimmed).
#pragma once

#include "core/trace/trace_types.h"

#include <memory>
#include <string>

namespace ca {

class TraceWriter {
public:
    // Creates (or truncates) `path`. Throws InputError if it cannot be created.
    static TraceWriter create(const std::string& path, const ModelInfo& model,
                              const TraceLayout& layout = {});
    // Opens an existing trace to add samples to it (resume). Validates it first.
    static TraceWriter openForAppend(const std::string& path);

    TraceWriter(TraceWriter&&) noexcept;
    TraceWriter& operator=(TraceWriter&&) noexcept;
    ~TraceWriter();

    // Appends one sample; throws InputError if its shapes disagree with the model.
    void append(const SampleRecord& sample);
    // Writes buffered samples to disk now (append() buffers up to ~2 s of work).
    void flush();
    // Free-form provenance / settings (JSON text) stored as /@capture_settings.
    void setSettingsJson(const std::string& json);

    const ModelInfo& model() const;
    const TraceLayout& layout() const;
    int64_t numSamples() const;
    int64_t numTokens() const;
    // Flushes and closes; the destructor does the same.
    void close();

private:
    struct Impl;
    explicit TraceWriter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace ca
