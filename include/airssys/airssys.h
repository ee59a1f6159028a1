/*
 * airssys/airssys.h -- the umbrella header of libairssys: include this one file to use the whole
 * public API. Each layer's header can also be included on its own.
 */
#ifndef AIRSSYS_AIRSSYS_H
#define AIRSSYS_AIRSSYS_H

#include "airssys/base.h"
#include "airssys/actor.h"
#include "airssys/wasm.h"
#include "airssys/wasi.h"
#include "airssys/security.h"
#include "airssys/storage.h"
#include "airssys/toml.h"
#include "airssys/manifest.h"
#include "airssys/sysmanifest.h"
#include "airssys/host.h"

#endif /* AIRSSYS_AIRSSYS_H */
