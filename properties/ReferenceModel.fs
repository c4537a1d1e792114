module Workq.Properties.ReferenceModel

open Expecto
