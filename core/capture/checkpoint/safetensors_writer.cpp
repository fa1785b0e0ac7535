#include "core/capture/checkpoint/safetensors_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/capture/checkpoint/float_convert.h"
#include "core/util/input_error.h"

namespace ca::capture {

namespace {

uint64_t byteSize(DType dtype, const std::vector<int64_t>& shape) {
    uint64_t numel = 1;
    for (int64_t dim : shape) {
        if (dim < 0) throw std::invalid_argument("safetensors writer: negative dimension");
        numel *= static_cast<uint64_t>(dim);
    }
    return numel * dtypeSize(dtype);
}

void requireFloating(DType dtype) {
    if (!isFloatingWeightType(dtype)) {
        throw std::invalid_argument(
            "safetensors writer: floats can only be stored as F32/F16/BF16");
    }
}

}  // namespace

void SafetensorsWriter::setMetadata(std::map<std::string, std::string> metadata) {
    metadata_ = std::move(metadata);
}

void SafetensorsWriter::add(Pending pending) {
    if (pending.name == "__metadata__") {
        throw std::invalid_argument("safetensors writer: '__metadata__' is reserved");
    }
    if (!names_.insert(pending.name).second) {
        throw std::invalid_argument("safetensors writer: duplicate tensor " + pending.name);
    }
    tensors_.push_back(std::move(pending));
}

void SafetensorsWriter::addBytes(std::string name, DType dtype, std::vector<int64_t> shape,
                                 std::vector<std::byte> bytes) {
    const uint64_t size = byteSize(dtype, shape);
    if (bytes.size() != size) {
        throw std::invalid_argument("safetensors writer: byte count does not match shape for " +
                                    name);
    }
    add({std::move(name), dtype, std::move(shape), size, std::move(bytes), {}});
}

void SafetensorsWriter::addFloats(std::string name, DType dtype, std::vector<int64_t> shape,
                                  std::span<const float> values) {
    requireFloating(dtype);
    const uint64_t size = byteSize(dtype, shape);
    if (values.size() * dtypeSize(dtype) != size) {
        throw std::invalid_argument("safetensors writer: value count does not match shape for " +
                                    name);
    }
    std::vector<std::byte> bytes(size);
    encodeFloats(values, dtype, bytes.data());
    add({std::move(name), dtype, std::move(shape), size, std::move(bytes), {}});
}

void SafetensorsWriter::addGenerated(std::string name, DType dtype, std::vector<int64_t> shape,
                                     FloatGenerator generator) {
    requireFloating(dtype);
    const uint64_t size = byteSize(dtype, shape);
    add({std::move(name), dtype, std::move(shape), size, {}, std::move(generator)});
}

uint64_t SafetensorsWriter::dataBytes() const {
    uint64_t total = 0;
    for (const Pending& tensor : tensors_) total += tensor.bytes;
    return total;
}

void SafetensorsWriter::write(const std::string& path) const {
    // Layout order of the reference writer: larger elements first, then by name.
    std::vector<const Pending*> order;
    for (const Pending& tensor : tensors_) order.push_back(&tensor);
    std::sort(order.begin(), order.end(), [](const Pending* a, const Pending* b) {
        const std::size_t sa = dtypeSize(a->dtype), sb = dtypeSize(b->dtype);
        return sa != sb ? sa > sb : a->name < b->name;
    });

    nlohmann::json header = nlohmann::json::object();
    if (!metadata_.empty()) header["__metadata__"] = metadata_;
    uint64_t offset = 0;
    for (const Pending* tensor : order) {
        header[tensor->name] = {{"dtype", dtypeName(tensor->dtype)},
                                {"shape", tensor->shape},
                                {"data_offsets", {offset, offset + tensor->bytes}}};
        offset += tensor->bytes;
    }
    std::string headerText = header.dump();
    headerText.append((8 - headerText.size() % 8) % 8, ' ');

    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path, std::string("cannot create file: ") + std::strerror(errno));
    uint64_t headerBytes = headerText.size();
    char lengthBytes[8];
    for (int i = 0; i < 8; ++i) lengthBytes[i] = static_cast<char>((headerBytes >> (8 * i)) & 0xff);
    out.write(lengthBytes, 8);
    out.write(headerText.data(), static_cast<std::streamsize>(headerText.size()));

    constexpr std::size_t kChunkElements = std::size_t{1} << 20;
    std::vector<float> values;
    std::vector<std::byte> encoded;
    for (const Pending* tensor : order) {
        if (!tensor->generator) {
            out.write(reinterpret_cast<const char*>(tensor->raw.data()),
                      static_cast<std::streamsize>(tensor->raw.size()));
            continue;
        }
        const std::size_t itemSize = dtypeSize(tensor->dtype);
        uint64_t remaining = tensor->bytes / itemSize;
        while (remaining > 0) {
            const std::size_t count =
                static_cast<std::size_t>(std::min<uint64_t>(remaining, kChunkElements));
            values.resize(count);
            encoded.resize(count * itemSize);
            tensor->generator(std::span<float>(values));
            encodeFloats(values, tensor->dtype, encoded.data());
            out.write(reinterpret_cast<const char*>(encoded.data()),
                      static_cast<std::streamsize>(encoded.size()));
            remaining -= count;
        }
    }
    out.flush();
    if (!out) throw InputError(path, "write failed (disk full?)");
}

}  // namespace ca::capture
