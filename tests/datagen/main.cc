// fedlink-datagen: writes seeded synthetic linkage inputs (one CSV per party,
// ground truth, manifest) for benchmarks, tests and the three-agency demo.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

// CLI11 2.1's string helpers trip GCC 12's -Wnull-dereference once inlined
// (a false positive inside the library), which -Werror would turn fatal.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include "CLI/CLI.hpp"
#pragma GCC diagnostic pop
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/datagen/generator.h"
#include "tests/datagen/presets.h"
#include "tests/datagen/writer.h"

namespace {

using fedlink::datagen::Corruption;

struct CommandLine {
  std::string out;
  uint64_t seed = 1;
  uint64_t size = 0;
  double overlap = 0.5;
  double duplicates = -1.0;
  double error_scale = 1.0;
  std::vector<std::string> rates;
  int threads = 1;
  bool eval_keys = false;
  bool lf = false;
  bool force = false;
  bool quiet = false;
};

void AddOptions(CLI::App* command, CommandLine* line, uint64_t default_size, bool has_overlap) {
  command->add_option("-o,--out", line->out, "Output directory (created if missing)")->required();
  command->add_option("--seed", line->seed, "Seed: the same seed gives byte-identical files")
      ->default_val(1);
  command
      ->add_option("--size", line->size,
                   has_overlap ? "Persons per party" : "Population size (persons)")
      ->default_val(default_size)
      ->check(CLI::Range(uint64_t{1}, uint64_t{400'000'000}));
  if (has_overlap) {
    command
        ->add_option("--overlap", line->overlap,
                     "Fraction of each party's persons also in another party")
        ->default_val(0.5)
        ->check(CLI::Range(0.0, 1.0));
  }
  command
      ->add_option("--duplicates", line->duplicates,
                   "Within-party duplicate rows, as a fraction of persons held (default: 0; "
                   "agencies: 0.01 for k12)")
      ->check(CLI::Range(0.0, 10.0));
  command
      ->add_option("--error-scale", line->error_scale,
                   "Multiplies every corruption rate (0 writes clean copies)")
      ->default_val(1.0)
      ->check(CLI::Range(0.0, 100.0));
  command->add_option("--rate", line->rates,
                      "Override one corruption rate, KIND=P (repeatable). Kinds: typo, ocr, "
                      "nickname, accent_strip, surname_change, name_swap, date_swap, date_typo, "
                      "missing, whitespace, case, id_typo, moved");
  command->add_option("--threads", line->threads, "Generator threads (output does not change)")
      ->default_val(1)
      ->check(CLI::Range(1, 64));
  command->add_flag("--eval-column", line->eval_keys,
                    "Add an eval_key column (random per row, evaluation only) to every file "
                    "and to ground_truth.csv");
  command->add_flag("--lf", line->lf, "End lines with LF instead of RFC 4180 CRLF");
  command->add_flag("--force", line->force, "Replace existing output files");
  command->add_flag("-q,--quiet", line->quiet, "Do not print the summary");
}

absl::StatusOr<std::vector<std::pair<Corruption, double>>> ParseRates(
    const std::vector<std::string>& rates) {
  std::vector<std::pair<Corruption, double>> out;
  for (const std::string& rate : rates) {
    const size_t equals = rate.find('=');
    const auto kind = equals == std::string::npos
                          ? std::nullopt
                          : fedlink::datagen::CorruptionFromName(rate.substr(0, equals));
    double value = 0.0;
    if (!kind || !absl::SimpleAtod(rate.substr(equals + 1), &value) || value < 0.0 || value > 1.0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--rate '", rate, "': expected KIND=P with a known kind and 0 <= P <= 1"));
    }
    out.emplace_back(*kind, value);
  }
  return out;
}

int Run(const std::string& preset, const CommandLine& line) {
  fedlink::datagen::PresetOptions options;
  options.seed = line.seed;
  options.size = line.size;
  options.overlap = line.overlap;
  if (line.duplicates >= 0.0) options.duplicate_rate = line.duplicates;
  options.error_scale = line.error_scale;
  options.crlf = !line.lf;
  options.eval_keys = line.eval_keys;
  auto rates = ParseRates(line.rates);
  if (!rates.ok()) {
    std::fprintf(stderr, "fedlink-datagen: %s\n", std::string(rates.status().message()).c_str());
    return 2;
  }
  options.rate_overrides = *std::move(rates);

  auto config = fedlink::datagen::MakePresetConfig(preset, options);
  if (!config.ok()) {
    std::fprintf(stderr, "fedlink-datagen: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  auto generator = fedlink::datagen::DatasetGenerator::Create(*std::move(config));
  if (!generator.ok()) {
    std::fprintf(stderr, "fedlink-datagen: %s\n",
                 std::string(generator.status().message()).c_str());
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  fedlink::datagen::WriteOptions write_options;
  write_options.overwrite = line.force;
  write_options.threads = line.threads;
  auto summary = fedlink::datagen::WriteDataset(**generator, line.out, write_options);
  if (!summary.ok()) {
    std::fprintf(stderr, "fedlink-datagen: %s\n", std::string(summary.status().message()).c_str());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!line.quiet) {
    std::fputs(fedlink::datagen::FormatSummary((*generator)->config(), *summary).c_str(), stdout);
    std::printf("\nwrote %s in %.2f s\n", line.out.c_str(), seconds);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Writes seeded synthetic record-linkage inputs: one CSV per party, ground_truth.csv "
      "(party, local_id, entity_id) and manifest.yaml. No real people."};
  app.require_subcommand(1);
  CommandLine line;
  CLI::App* pair = app.add_subcommand("pair", "Two parties, FEBRL-like columns");
  AddOptions(pair, &line, 10000, true);
  CLI::App* three = app.add_subcommand("three", "Three parties, FEBRL-like columns");
  AddOptions(three, &line, 10000, true);
  CLI::App* agencies =
      app.add_subcommand("agencies", "K-12, higher-education and employment agencies for the demo");
  AddOptions(agencies, &line, 20000, false);
  CLI11_PARSE(app, argc, argv);
  return Run(app.get_subcommands().front()->get_name(), line);
}
