// Status and Result<T>: how every etpu library function reports failure.
//
// Library code never throws for control flow, never prints and never exits; it returns a
// Status (or a Result<T> holding either a value or a non-OK Status). Messages follow the
// shape "failed to <verb> <what> '<name>' (#<index>): <problem> <value> (expected <x>)".
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace etpu {

/// The few error classes etpu distinguishes (see docs/ERRORS.md).
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     ///< Bad model, bad options, bad user input.
  kDataLoss,            ///< Corrupt flatbuffer, package or file.
  kUnimplemented,       ///< Valid input that etpu does not handle.
  kResourceExhausted,   ///< A hard SRAM or device limit.
  kFailedPrecondition,  ///< API misuse, or a runtime that refuses a package.
  kNotFound,            ///< A file, tensor or operator that does not exist.
  kInternal,            ///< An etpu bug (a verifier failed).
};

/// Human-readable name of a code ("Invalid argument", "Failed precondition", ...).
std::string_view StatusCodeName(StatusCode code);

/// An error code with a message; OK carries no message.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  /// "<Code name>: <message>", or "OK".
  std::string ToString() const;
  /// Returns a copy whose message is "<prefix>: <message>".
  Status WithContext(std::string_view prefix) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status DataLossError(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status UnimplementedError(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
inline Status ResourceExhaustedError(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status FailedPreconditionError(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

/// Either a value of type T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "Result constructed from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  /// The error; OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(data_); }

  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace etpu

#define ETPU_STATUS_CONCAT_INNER(a, b) a##b
#define ETPU_STATUS_CONCAT(a, b) ETPU_STATUS_CONCAT_INNER(a, b)

/// Returns the Status of `expr` from the enclosing function when it is not OK.
#define ETPU_RETURN_IF_ERROR(expr)                  \
  do {                                              \
    ::etpu::Status etpu_status_ = (expr);           \
    if (!etpu_status_.ok()) return etpu_status_;    \
  } while (false)

/// Evaluates a Result expression; on error returns its Status, else moves the value into `lhs`.
#define ETPU_ASSIGN_OR_RETURN(lhs, expr) \
  ETPU_ASSIGN_OR_RETURN_IMPL(ETPU_STATUS_CONCAT(etpu_result_, __LINE__), lhs, expr)
#define ETPU_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
