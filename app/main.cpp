// evo-engine: the production command line (app/run.cpp), with nothing added to what it serves.
#include "app/run.h"

int main(int argc, char** argv) {
  return evo::app::run_cli(argc, argv, {});
}
