module Workq.Properties.Generators

open Expecto
