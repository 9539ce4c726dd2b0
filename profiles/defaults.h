/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* defaults.h: what sbx uses when neither the profile nor the command line says. */
#pragma once

#define SBX_DEFAULT_HOSTNAME "sbx"
