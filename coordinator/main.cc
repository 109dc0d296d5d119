// fedlink-coordinator: parses the command line and the config, then wires
// the server together (coordinator/rpc/coordinator_server.h).
//   fedlink-coordinator serve --config coordinator.yaml
//   fedlink-coordinator check-config --config coordinator.yaml
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <CLI/CLI.hpp>
#pragma GCC diagnostic pop

#include "coordinator/config/coordinator_config.h"
#include "coordinator/rpc/coordinator_server.h"
#include "coordinator/rpc/server_logging.h"
#include "proto/runtime/tls_credentials.h"
#include "spdlog/spdlog.h"

namespace {

using fedlink::coordinator::CoordinatorConfig;

int CheckConfig(const std::string& path) {
  absl::StatusOr<CoordinatorConfig> config = fedlink::coordinator::LoadCoordinatorConfig(path);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
    return 1;
  }
  auto credentials = fedlink::proto::MakeServerCredentials(config->tls, config->tls_options);
  if (!credentials.ok()) {
    std::fprintf(stderr, "%s: tls: %s\n", path.c_str(),
                 std::string(credentials.status().message()).c_str());
    return 1;
  }
  const std::string metrics =
      config->metrics_listen.empty() ? "off" : "http://" + config->metrics_listen + "/metrics";
  std::printf("%s: OK (%zu agencies, %zu analysts, listen %s, data_dir %s, metrics %s)\n",
              path.c_str(), config->registry.agencies.size(), config->registry.analysts.size(),
              config->listen_address.c_str(), config->data_dir.c_str(), metrics.c_str());
  return 0;
}

int Serve(const std::string& path) {
  absl::StatusOr<CoordinatorConfig> config = fedlink::coordinator::LoadCoordinatorConfig(path);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
    return 1;
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
    return 1;
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
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fedlink coordinator: matches approved linkage jobs over mutual TLS"};
  app.require_subcommand(1);
  std::string config_path;
  CLI::App* serve = app.add_subcommand("serve", "run the coordinator");
  serve->add_option("--config", config_path, "coordinator.yaml")->required();
  CLI::App* check = app.add_subcommand("check-config", "validate coordinator.yaml and its TLS files");
  check->add_option("--config", config_path, "coordinator.yaml")->required();
  CLI11_PARSE(app, argc, argv);
  if (serve->parsed()) return Serve(config_path);
  return CheckConfig(config_path);
}
