module Workq.Tests.DeciderTests

open Expecto
