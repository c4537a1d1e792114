module Workq.Properties.ModelProperties

open Expecto
