// fedlink-coordinator: parses the command line and the config, then wires
// the server together (coordinator/rpc/coordinator_server.h).
//   fedlink-coordinator serve --config coordinator.yaml
//   fedlink-coordinator check-config --config coordinator.yaml
// Exit codes: kExit* below (also shown by --help).
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <CLI/CLI.hpp>
#pragma GCC diagnostic pop

#include "absl/status/status.h"
#include "coordinator/config/coordinator_config.h"
#include "coordinator/rpc/coordinator_server.h"
#include "coordinator/rpc/server_logging.h"
#include "linkage/crypto/process_init.h"
#include "proto/runtime/tls_credentials.h"
#include "spdlog/spdlog.h"

namespace {

using fedlink::coordinator::CoordinatorConfig;

constexpr int kExitOk = 0;
// The configuration or its TLS files are invalid, or the server could not
// start (address in use, data directory unusable).
constexpr int kExitFailed = 1;
// The command line does not parse.
constexpr int kExitUsage = 2;

constexpr char kExitCodesHelp[] =
    "Exit codes:\n"
    "  0  success (serve: stopped by SIGTERM or SIGINT)\n"
    "  1  the configuration or its TLS files are invalid (the message names the file,\n"
    "     line and key), or the server could not start\n"
    "  2  bad command line (unknown command or option, missing --config)";

int CheckConfig(const std::string& path) {
  absl::StatusOr<CoordinatorConfig> config = fedlink::coordinator::LoadCoordinatorConfig(path);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
    return kExitFailed;
  }
  auto credentials = fedlink::proto::MakeServerCredentials(config->tls, config->tls_options);
  if (!credentials.ok()) {
    std::fprintf(stderr, "%s: tls: %s\n", path.c_str(),
                 std::string(credentials.status().message()).c_str());
    return kExitFailed;
  }
  const std::string metrics =
      config->metrics_listen.empty() ? "off" : "http://" + config->metrics_listen + "/metrics";
  std::printf("%s: OK (%zu agencies, %zu analysts, listen %s, data_dir %s, metrics %s)\n",
              path.c_str(), config->registry.agencies.size(), config->registry.analysts.size(),
              config->listen_address.c_str(), config->data_dir.c_str(), metrics.c_str());
  return kExitOk;
}

int Serve(const std::string& path) {
  absl::StatusOr<CoordinatorConfig> config = fedlink::coordinator::LoadCoordinatorConfig(path);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
    return kExitFailed;
  }
  fedlink::coordinator::ConfigureServerLogging(config->log_format);
  // SIGINT / SIGTERM end the server, SIGHUP reloads the registries and the
  // CRLs; blocked here, taken by sigwait below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = fedlink::coordinator::CoordinatorServer::Start(*config);
  if (!server.ok()) {
    spdlog::error("{}", std::string(server.status().message()));
    return kExitFailed;
  }
  std::thread waiter([&] {
    int signal = 0;
    while (sigwait(&signals, &signal) == 0 && signal == SIGHUP) {
      auto reloaded = (*server)->ReloadConfig();
      if (reloaded.ok()) {
        spdlog::info("SIGHUP: reloaded {} agencies, {} analysts", reloaded->agencies(),
                     reloaded->analysts());
      } else {
        spdlog::error("SIGHUP: reload failed, nothing changed: {}",
                      std::string(reloaded.status().message()));
      }
    }
    spdlog::info("signal {}: shutting down", signal);
    (*server)->Shutdown();
  });
  (*server)->Wait();
  waiter.join();
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  if (const absl::Status openssl = fedlink::crypto::InitOpenSslForProcess(); !openssl.ok()) {
    std::fprintf(stderr, "fedlink-coordinator: %s\n", std::string(openssl.message()).c_str());
    return kExitFailed;
  }
  CLI::App app{"fedlink coordinator: matches approved linkage jobs over mutual TLS"};
  app.set_version_flag("--version", "fedlink-coordinator " FEDLINK_VERSION);
  app.require_subcommand(1);
  std::string config_path;
  CLI::App* serve = app.add_subcommand(
      "serve", "run the coordinator (SIGHUP reloads the registries and CRLs)");
  serve->add_option("--config", config_path, "coordinator.yaml")->required();
  serve->footer("Example:\n  fedlink-coordinator serve --config /etc/fedlink/coordinator.yaml\n");
  CLI::App* check = app.add_subcommand("check-config", "validate coordinator.yaml and its TLS files");
  check->add_option("--config", config_path, "coordinator.yaml")->required();
  check->footer(
      "Example:\n  fedlink-coordinator check-config --config /etc/fedlink/coordinator.yaml\n");
  app.footer(std::string("Examples:\n"
                         "  fedlink-coordinator check-config --config /etc/fedlink/coordinator.yaml\n"
                         "  fedlink-coordinator serve --config /etc/fedlink/coordinator.yaml\n"
                         "Run `fedlink-coordinator COMMAND --help` for a command's options.\n\n") +
             kExitCodesHelp);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // CLI11's own codes (105, 106, ...) would say nothing to a script.
    return app.exit(error) == 0 ? kExitOk : kExitUsage;
  }
  if (serve->parsed()) return Serve(config_path);
  return CheckConfig(config_path);
}
